"""The daily clean-up: every app's retention rule, run in one go (beat daily, or
`manage.py cleanup [--dry-run]`), with a report of what each removed.

The rules live in the apps that own the data (accounts, listings, notifications; the file sweep
in marketplace); this module, at the top of the layers, only runs them with the settings'
periods and tells abandoned drafts' providers (listings cannot import notifications).
"""

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.services import sessions_expired_clear, sign_in_events_purge, unverified_users_delete
from listings.notifications import draft_expiring_message
from listings.selectors import service_drafts_to_expire, service_drafts_to_warn
from listings.services import Removal, service_draft_expire, service_draft_notice_record
from marketplace.cleanup import each_logged, ids_in_batches, orphaned_files_delete
from notifications.services import notifications_read_purge, notify

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CleanupReport:
    """What one run removed (or, in a dry run, would remove), kind by kind."""

    dry_run: bool
    expired_sessions: int | None  # None: the session engine keeps no table to count
    unverified_accounts: int
    drafts_warned: int
    drafts_deleted: int
    drafts_archived: int  # drafts that bookings or quotes refer to are archived instead
    sign_in_events: int
    read_notifications: int
    orphaned_files: int

    def lines(self) -> list[str]:
        """The report for people, one kind a line."""
        verb = "would remove" if self.dry_run else "removed"
        sessions = self.expired_sessions
        if sessions is None:
            sessions = "(not counted: the session engine keeps no table; its own clear ran)"
        told = "would tell" if self.dry_run else "told"
        return [
            f"Expired sessions: {verb} {sessions}",
            f"Unverified accounts: {verb} {self.unverified_accounts}",
            f"Abandoned draft listings: {told} {self.drafts_warned} providers",
            f"Abandoned draft listings: {verb} {self.drafts_deleted}"
            + ("" if self.dry_run else f" (and archived {self.drafts_archived} in use)"),
            f"Sign-in log lines: {verb} {self.sign_in_events}",
            f"Read notifications: {verb} {self.read_notifications}",
            f"Orphaned uploaded files: {verb} {self.orphaned_files}"
            + (
                " (the most a run: there may be more, for the next run)"
                if self.orphaned_files >= settings.CLEANUP_ORPHAN_FILES_PER_RUN
                else ""
            ),
        ]


def _drafts_warn(*, now: datetime, batch_size: int, dry_run: bool) -> int:
    """Tell the provider of each draft untouched for CLEANUP_DRAFT_LISTING_DAYS that it will be
    removed: the notice is recorded with the notification in one transaction (its email goes
    after commit), so it is sent once, and a failure for one leaves the others."""
    idle_days = settings.CLEANUP_DRAFT_LISTING_DAYS
    untouched_since = now - timedelta(days=idle_days)
    due = service_drafts_to_warn(untouched_since=untouched_since)
    if dry_run:
        return due.count()
    removal_after = now + timedelta(days=settings.CLEANUP_DRAFT_NOTICE_DAYS)

    @transaction.atomic
    def warn(service_id: int) -> bool:
        service = service_draft_notice_record(
            service_id=service_id, untouched_since=untouched_since, now=now
        )
        if service:
            notify(
                **draft_expiring_message(
                    service=service, removal_after=removal_after, idle_days=idle_days
                )
            )
        return bool(service)

    return sum(
        sum(each_logged(ids, warn, what="the notice for draft listing"))
        for ids in ids_in_batches(due, batch_size=batch_size)
    )


def _drafts_expire(*, now: datetime, batch_size: int, dry_run: bool) -> tuple[int, int]:
    """Remove drafts told CLEANUP_DRAFT_NOTICE_DAYS ago and untouched since; returns how many
    were deleted and how many archived."""
    noticed_before = now - timedelta(days=settings.CLEANUP_DRAFT_NOTICE_DAYS)
    due = service_drafts_to_expire(noticed_before=noticed_before)
    if dry_run:
        return due.count(), 0

    def expire(service_id: int) -> Removal | None:
        return service_draft_expire(service_id=service_id, noticed_before=noticed_before)

    removals = [
        removal
        for ids in ids_in_batches(due, batch_size=batch_size)
        for removal in each_logged(ids, expire, what="removing draft listing")
    ]
    return removals.count(Removal.DELETED), removals.count(Removal.ARCHIVED)


def cleanup_run(*, dry_run: bool = False, now: datetime | None = None) -> CleanupReport:
    """Run every retention rule once with the settings' periods; returns what each removed.
    Safe to run twice (a second run finds nothing more); a dry run changes nothing."""
    now = now or timezone.now()
    batch_size = settings.CLEANUP_BATCH_SIZE
    # Drafts are removed before notices go, so a draft is never told and removed in one run.
    drafts_deleted, drafts_archived = _drafts_expire(
        now=now, batch_size=batch_size, dry_run=dry_run
    )
    return CleanupReport(
        dry_run=dry_run,
        expired_sessions=sessions_expired_clear(now=now, batch_size=batch_size, dry_run=dry_run),
        unverified_accounts=unverified_users_delete(
            joined_before=now - timedelta(days=settings.CLEANUP_UNVERIFIED_ACCOUNT_DAYS),
            batch_size=batch_size,
            dry_run=dry_run,
        ),
        drafts_warned=_drafts_warn(now=now, batch_size=batch_size, dry_run=dry_run),
        drafts_deleted=drafts_deleted,
        drafts_archived=drafts_archived,
        sign_in_events=sign_in_events_purge(
            before=now - timedelta(days=settings.CLEANUP_SIGN_IN_LOG_DAYS),
            batch_size=batch_size,
            dry_run=dry_run,
        ),
        read_notifications=notifications_read_purge(
            read_before=now - timedelta(days=settings.CLEANUP_READ_NOTIFICATION_DAYS),
            batch_size=batch_size,
            dry_run=dry_run,
        ),
        orphaned_files=orphaned_files_delete(
            older_than=now - timedelta(hours=settings.CLEANUP_ORPHAN_FILE_HOURS),
            limit=settings.CLEANUP_ORPHAN_FILES_PER_RUN,
            dry_run=dry_run,
        ),
    )


def cleanup_log(report: CleanupReport) -> None:
    logger.info("Daily clean-up: %s", asdict(report))
