from celery import shared_task


@shared_task
def cleanup_daily() -> None:
    """The daily clean-up (cleanup.services.cleanup_run); logs what it removed. Safe to run
    twice: a second run finds nothing more."""
    from .services import cleanup_log, cleanup_run

    cleanup_log(cleanup_run())
