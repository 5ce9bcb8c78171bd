"""Beat task for posted jobs and quotes: safe to run twice (each row is handled locked)."""

from celery import shared_task

from marketplace.errors import DomainError

from . import selectors, services
from .models import JobRequest, Quote


@shared_task
def expire_jobs_and_quotes() -> int:
    """Open jobs past their expiry close; waiting quotes past their validity expire."""
    expired = 0
    for pk in selectors.expired_job_ids():
        try:
            services.job_expire(job=JobRequest(pk=pk))
        except DomainError:
            continue  # answered meanwhile
        expired += 1
    for pk in selectors.expired_quote_ids():
        try:
            services.quote_expire(quote=Quote(pk=pk))
        except DomainError:
            continue
        expired += 1
    return expired
