from celery import shared_task
from django.db import transaction

from .services import search_terms_refresh


@shared_task
def refresh_search_terms() -> None:
    """Rebuild the typo-correction lexicon from the live catalogue (safe to run twice)."""
    with transaction.atomic():
        search_terms_refresh()
