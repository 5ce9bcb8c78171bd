"""The daily clean-up: each kind of data goes after its retention period and not a minute
before, what must be kept is kept, a dry run changes nothing, and the command and the beat task
run the same service."""

import os
from datetime import timedelta
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from accounts.models import ProviderProfile, SignInEvent, User
from accounts.tests.factories import ProviderProfileFactory, UserFactory
from bookings.tests.factories import BookingFactory
from cleanup import tasks
from cleanup.services import CleanupReport, cleanup_run
from listings.models import Service
from listings.tests.factories import ServiceFactory, ServicePhotoFactory
from notifications.models import Notification
from notifications.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db

MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture(autouse=True)
def _retention(settings):
    settings.CLEANUP_UNVERIFIED_ACCOUNT_DAYS = 30
    settings.CLEANUP_DRAFT_LISTING_DAYS = 90
    settings.CLEANUP_DRAFT_NOTICE_DAYS = 7
    settings.CLEANUP_SIGN_IN_LOG_DAYS = 180
    settings.CLEANUP_READ_NOTIFICATION_DAYS = 90
    settings.CLEANUP_ORPHAN_FILE_HOURS = 24
    settings.CLEANUP_ORPHAN_FILES_PER_RUN = 1000
    # Small batches, so the tests cross batch boundaries.
    settings.CLEANUP_BATCH_SIZE = 2


def unverified(joined_ago: timedelta, **kwargs) -> User:
    user = UserFactory(verified=False, **kwargs)
    User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - joined_ago)
    return user


def exists(obj) -> bool:
    return type(obj).objects.filter(pk=obj.pk).exists()


# --- Unverified accounts ----------------------------------------------------------------------


def test_unverified_accounts_go_after_30_days_not_before(now):
    old = unverified(30 * DAY + MINUTE)
    young = unverified(30 * DAY - MINUTE)
    SignInEvent.objects.create(user=old, email=old.email, succeeded=False, kind="sign_up")

    assert cleanup_run(now=now).unverified_accounts == 1

    assert not exists(old) and exists(young)
    assert not EmailAddress.objects.filter(user_id=old.pk).exists()


def test_verified_staff_suspended_and_addressless_accounts_stay(now):
    age = 60 * DAY
    verified = UserFactory()
    User.objects.filter(pk=verified.pk).update(date_joined=now - age)
    # Verified one of two addresses: verified.
    second = unverified(age)
    EmailAddress.objects.create(user=second, email="other@example.com", verified=True)
    staff = unverified(age, is_staff=True)
    superuser = unverified(age, is_superuser=True)
    suspended = unverified(age, suspended_at=now - age, is_active=False)
    # Made in the admin or by a command: allauth never recorded an address to verify.
    addressless = User.objects.create_user(email="made-by-hand@example.com")
    User.objects.filter(pk=addressless.pk).update(date_joined=now - age)
    recently_signed_in = unverified(age, last_login=now - DAY)

    assert cleanup_run(now=now).unverified_accounts == 0
    for user in (verified, second, staff, superuser, suspended, addressless, recently_signed_in):
        assert exists(user)


def test_unverified_accounts_that_did_something_stay(now, city):
    age = 60 * DAY
    # A booking protects its customer.
    booker = unverified(age)
    BookingFactory(customer=booker)
    # A listing (through a provider profile) is something to keep.
    lister = unverified(age)
    ServiceFactory(provider=ProviderProfileFactory(user=lister, base_city=city))
    # An approved provider profile is a moderator's decision.
    approved = unverified(age)
    ProviderProfileFactory(user=approved, base_city=city, approved=True)
    # An empty profile still waiting for approval is not.
    pending = unverified(age)
    ProviderProfileFactory(user=pending, base_city=city)
    # Notifications and the sign-in log are the account's own bookkeeping.
    notified = unverified(age)
    NotificationFactory(recipient=notified)

    assert cleanup_run(now=now).unverified_accounts == 2

    assert exists(booker) and exists(lister) and exists(approved)
    assert not exists(pending) and not exists(notified)
    assert not ProviderProfile.objects.filter(user_id=pending.pk).exists()


def test_an_account_that_fails_to_delete_holds_back_no_other(now, monkeypatch, caplog):
    from accounts import services

    first, second = unverified(60 * DAY), unverified(60 * DAY)
    real = services.user_unverified_delete

    def failing_for_the_first(*, user_id, joined_before):
        if user_id == first.pk:
            raise RuntimeError("database hiccup")
        return real(user_id=user_id, joined_before=joined_before)

    monkeypatch.setattr(services, "user_unverified_delete", failing_for_the_first)
    assert cleanup_run(now=now).unverified_accounts == 1
    assert exists(first) and not exists(second)
    assert f"deleting the unverified account {first.pk} failed" in caplog.text


def test_a_deleted_accounts_photo_goes_after_commit(now, django_capture_on_commit_callbacks):
    user = unverified(60 * DAY)
    name = default_storage.save("avatars/face.jpg", ContentFile(b"jpeg"))
    User.objects.filter(pk=user.pk).update(avatar=name)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        cleanup_run(now=now)
    assert not exists(user) and default_storage.exists(name)
    for callback in callbacks:
        callback()
    assert not default_storage.exists(name)


# --- Abandoned drafts -------------------------------------------------------------------------


def draft(untouched: timedelta, **kwargs) -> Service:
    service = ServiceFactory(status=Service.Status.DRAFT, **kwargs)
    Service.objects.filter(pk=service.pk).update(updated_at=timezone.now() - untouched)
    return service


def test_an_abandoned_draft_is_told_once_then_removed_after_the_notice(
    now, django_capture_on_commit_callbacks
):
    abandoned = draft(90 * DAY + MINUTE)
    recent = draft(90 * DAY - MINUTE)
    published = ServiceFactory()
    Service.objects.filter(pk=published.pk).update(updated_at=now - 400 * DAY)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = cleanup_run(now=now)
    assert (report.drafts_warned, report.drafts_deleted) == (1, 0)
    notice = Notification.objects.get(kind="draft_listing_expiring")
    assert notice.recipient == abandoned.provider.user
    assert abandoned.title in notice.title and "edit it" in notice.body
    # The email goes only once the notice is committed.
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert [message.to for message in mail.outbox] == [[abandoned.provider.user.email]]

    # Told once, however often it runs; removed only when the notice is 7 days old. (The
    # draft a minute short of 90 days is told in the first of these runs, once.)
    report = cleanup_run(now=now + 7 * DAY - MINUTE)
    assert (report.drafts_warned, report.drafts_deleted) == (1, 0)
    assert exists(abandoned)
    report = cleanup_run(now=now + 7 * DAY + MINUTE)
    assert (report.drafts_warned, report.drafts_deleted) == (0, 1)
    assert not exists(abandoned)
    assert exists(recent) and exists(published)
    told = Notification.objects.filter(kind="draft_listing_expiring")
    assert sorted(told.values_list("recipient", flat=True)) == sorted(
        [abandoned.provider.user_id, recent.provider.user_id]
    )


def test_a_notice_that_fails_is_not_recorded_and_the_others_still_go(now, monkeypatch, caplog):
    from cleanup import services

    failing, fine = draft(100 * DAY), draft(100 * DAY)
    real_notify = services.notify

    def notify_failing_for_one(**message):
        if message["url"].endswith(f"/{failing.pk}/edit/"):
            raise RuntimeError("mail template broken")
        return real_notify(**message)

    monkeypatch.setattr(services, "notify", notify_failing_for_one)
    assert cleanup_run(now=now).drafts_warned == 1
    assert Service.objects.get(pk=failing.pk).draft_notice_sent_at is None
    assert Service.objects.get(pk=fine.pk).draft_notice_sent_at == now
    assert f"draft listing {failing.pk} failed" in caplog.text
    # Never told, so never removed; told at the next run instead.
    monkeypatch.setattr(services, "notify", real_notify)
    report = cleanup_run(now=now + 8 * DAY)
    assert (report.drafts_warned, report.drafts_deleted) == (1, 1)
    assert exists(failing) and not exists(fine)


def test_a_draft_touched_after_its_notice_stays_and_is_told_again_later(now):
    abandoned = draft(100 * DAY)
    cleanup_run(now=now)
    # The provider edits it (save() moves updated_at), a day after the notice.
    service = Service.objects.get(pk=abandoned.pk)
    service.description = "Now with a proper description."
    service.save()

    later = now + 30 * DAY
    report = cleanup_run(now=later)
    assert (report.drafts_warned, report.drafts_deleted) == (0, 0)
    assert exists(abandoned)
    # Untouched for 90 days again: a new notice.
    assert cleanup_run(now=timezone.now() + 91 * DAY).drafts_warned == 1


def test_a_new_photo_counts_as_touching_the_draft(now):
    abandoned = draft(100 * DAY)
    ServicePhotoFactory(service=abandoned)
    assert cleanup_run(now=now).drafts_warned == 0


def test_an_expired_draft_that_bookings_refer_to_is_archived(now):
    abandoned = draft(100 * DAY)
    BookingFactory(service=abandoned, status="cancelled")
    Service.objects.filter(pk=abandoned.pk).update(updated_at=now - 100 * DAY)
    cleanup_run(now=now)

    report = cleanup_run(now=now + 8 * DAY)
    assert (report.drafts_deleted, report.drafts_archived) == (0, 1)
    assert Service.objects.get(pk=abandoned.pk).status == Service.Status.ARCHIVED


# --- Sign-in log, notifications, sessions -----------------------------------------------------


def test_the_sign_in_log_goes_after_180_days(now, customer):
    lines = [
        SignInEvent.objects.create(user=customer, email=customer.email, succeeded=True)
        for _ in range(5)
    ]
    ages = [180 * DAY + MINUTE] * 3 + [180 * DAY - MINUTE, DAY]
    for line, age in zip(lines, ages, strict=True):
        SignInEvent.objects.filter(pk=line.pk).update(at=now - age)

    assert cleanup_run(now=now).sign_in_events == 3
    assert set(SignInEvent.objects.values_list("pk", flat=True)) == {lines[3].pk, lines[4].pk}


def test_read_notifications_go_90_days_after_being_read_unread_ones_stay(now, customer):
    old_read = NotificationFactory(recipient=customer)
    recent_read = NotificationFactory(recipient=customer)
    old_unread = NotificationFactory(recipient=customer)
    Notification.objects.filter(pk=old_read.pk).update(read_at=now - 90 * DAY - MINUTE)
    Notification.objects.filter(pk=recent_read.pk).update(read_at=now - 90 * DAY + MINUTE)
    Notification.objects.filter(pk=old_unread.pk).update(created_at=now - 400 * DAY)

    assert cleanup_run(now=now).read_notifications == 1
    assert not exists(old_read) and exists(recent_read) and exists(old_unread)


def test_expired_sessions_go(now):
    def session(expires_in: timedelta) -> str:
        store = SessionStore()
        store.set_expiry(expires_in)
        store.create()
        return store.session_key

    expired = [session(-MINUTE) for _ in range(3)]
    live = session(DAY)

    assert cleanup_run(now=timezone.now()).expired_sessions == 3
    assert not Session.objects.filter(pk__in=expired).exists()
    assert Session.objects.filter(pk=live).exists()


def test_sessions_kept_elsewhere_are_cleared_by_their_engine_and_not_counted(now, settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    report = cleanup_run(now=now)
    assert report.expired_sessions is None
    assert report.lines()[0] == (
        "Expired sessions: removed (not counted: the session engine keeps no table; "
        "its own clear ran)"
    )


# --- Orphaned files ---------------------------------------------------------------------------


def stored(name: str, age: timedelta) -> str:
    name = default_storage.save(name, ContentFile(b"bytes"))
    then = (timezone.now() - age).timestamp()
    os.utime(default_storage.path(name), (then, then))
    return name


def test_orphaned_uploads_older_than_a_day_go(now):
    photo = ServicePhotoFactory()
    for field in (photo.image, photo.thumbnail):
        os.utime(field.path, (0, 0))  # referenced however old
    orphan = stored(f"services/{photo.service_id}/left-behind.jpg", 24 * 60 * MINUTE + MINUTE)
    in_flight = stored("reviews/being-uploaded.jpg", 24 * 60 * MINUTE - MINUTE)
    old_avatar = stored("avatars/old.jpg", 2 * DAY)
    # Outside every upload folder (the demo's shared pictures): never listed.
    demo = stored("demo/photos/picture.jpg", 400 * DAY)

    assert cleanup_run(now=now).orphaned_files == 2

    assert default_storage.exists(photo.image.name) and default_storage.exists(photo.thumbnail.name)
    assert not default_storage.exists(orphan) and not default_storage.exists(old_avatar)
    assert default_storage.exists(in_flight) and default_storage.exists(demo)


def test_a_run_deletes_at_most_the_files_per_run(now, settings):
    settings.CLEANUP_ORPHAN_FILES_PER_RUN = 2
    names = [stored(f"chat/orphan-{i}.jpg", 2 * DAY) for i in range(3)]
    first = cleanup_run(now=now)
    assert first.orphaned_files == 2
    assert first.lines()[-1] == (
        "Orphaned uploaded files: removed 2 (the most a run: there may be more, for the next run)"
    )
    assert cleanup_run(now=now).orphaned_files == 1
    assert not any(default_storage.exists(name) for name in names)


# --- Dry run, the command, beat ---------------------------------------------------------------


@pytest.fixture
def something_of_each_kind(now, customer):
    unverified(60 * DAY)
    draft(100 * DAY)
    line = SignInEvent.objects.create(user=customer, email=customer.email, succeeded=True)
    SignInEvent.objects.filter(pk=line.pk).update(at=now - 400 * DAY)
    NotificationFactory(recipient=customer, read_at=now - 400 * DAY)
    store = SessionStore()
    store.set_expiry(-MINUTE)
    store.create()
    stored("support/orphan.jpg", 2 * DAY)


def snapshot() -> dict:
    files = default_storage.listdir("support")[1]
    return {
        "users": sorted(User.objects.values_list("pk", flat=True)),
        "services": sorted(Service.objects.values_list("pk", "status", "draft_notice_sent_at")),
        "sign_ins": SignInEvent.objects.count(),
        "notifications": sorted(Notification.objects.values_list("pk", flat=True)),
        "sessions": Session.objects.count(),
        "files": files,
    }


def test_a_dry_run_counts_everything_and_changes_nothing(now, something_of_each_kind):
    before = snapshot()

    report = cleanup_run(now=now, dry_run=True)

    assert report == CleanupReport(
        dry_run=True,
        expired_sessions=1,
        unverified_accounts=1,
        drafts_warned=1,
        drafts_deleted=0,
        drafts_archived=0,
        sign_in_events=1,
        read_notifications=1,
        orphaned_files=1,
    )
    assert snapshot() == before
    assert mail.outbox == []
    # The same run for real removes what the dry run counted.
    real = cleanup_run(now=now)
    assert (real.unverified_accounts, real.sign_in_events, real.orphaned_files) == (1, 1, 1)
    assert snapshot() != before


def test_the_command_prints_what_each_kind_removed(something_of_each_kind):
    out = StringIO()
    call_command("cleanup", "--dry-run", stdout=out)
    assert out.getvalue().splitlines() == [
        "Dry run: nothing was changed.",
        "Expired sessions: would remove 1",
        "Unverified accounts: would remove 1",
        "Abandoned draft listings: would tell 1 providers",
        "Abandoned draft listings: would remove 0",
        "Sign-in log lines: would remove 1",
        "Read notifications: would remove 1",
        "Orphaned uploaded files: would remove 1",
    ]

    out = StringIO()
    call_command("cleanup", stdout=out)
    assert "Unverified accounts: removed 1" in out.getvalue()
    assert "Dry run" not in out.getvalue()
    out = StringIO()
    call_command("cleanup", stdout=out)
    assert "Unverified accounts: removed 0" in out.getvalue()


def test_beat_runs_the_clean_up_daily_and_the_task_logs_its_report(
    settings, something_of_each_kind, caplog
):
    from celery import current_app

    entry = settings.CELERY_BEAT_SCHEDULE["daily-cleanup"]
    assert entry["task"] == tasks.cleanup_daily.name == "cleanup.tasks.cleanup_daily"
    assert entry["task"] in current_app.tasks
    assert entry["schedule"].hour == {3} and entry["schedule"].minute == {17}
    # Expired sessions are part of it now: no second nightly task clears them.
    scheduled = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "accounts.tasks.clear_expired_sessions" not in scheduled

    with caplog.at_level("INFO", logger="cleanup.services"):
        tasks.cleanup_daily.delay()
    assert "'unverified_accounts': 1" in caplog.text
    assert not SignInEvent.objects.filter(at__lt=timezone.now() - 180 * DAY).exists()
