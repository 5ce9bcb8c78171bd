"""Every change to accounts and provider profiles happens here, inside a transaction."""

import logging
import uuid
from datetime import date, datetime, timedelta
from importlib import import_module
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.gis.geos import Point
from django.contrib.gis.measure import D
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import models, router, transaction
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from marketplace.cleanup import delete_in_batches, each_logged, ids_in_batches
from marketplace.errors import Conflict, Invalid, NotAllowed, WrongState
from marketplace.events import send_on_commit
from marketplace.images import ImageRules, image_decode, image_jpeg
from marketplace.page_cache import pages_changed
from marketplace.queueing import enqueue_on_commit
from places.models import City
from places.selectors import city_nearest

from .models import (
    ModerationAction,
    ProviderInsuranceNotice,
    ProviderProfile,
    ProviderStatusEvent,
    SignInEvent,
    User,
    insurance_badge_today,
)
from .notifications import insurance_expiring_message
from .selectors import users_unverified_since
from .signals import insurance_expiring, provider_suspended, user_suspended
from .tasks import send_provider_status_email

logger = logging.getLogger(__name__)

# A pin further than this from every city we serve is almost certainly a mistake.
MAX_PIN_DISTANCE_FROM_CITY_KM = 250
# A profile photo is shown up to 512 px square; smaller than this it would be a blur.
AVATAR_MIN_SIDE_PX = 128


def user_complete_signup(*, user: User, name: str, wants_to_offer_services: bool) -> User:
    user.name = name.strip()
    user.wants_to_offer_services = wants_to_offer_services
    user.save(update_fields=["name", "wants_to_offer_services"])
    return user


@transaction.atomic
def user_update_details(*, user: User, name: str, phone: str) -> User:
    user.name = name.strip()
    user.phone = phone.strip()
    user.save(update_fields=["name", "phone"])
    # A customer's name is on the reviews they wrote.
    pages_changed()
    return user


def avatar_rules(*, noun: str = "profile photo") -> ImageRules:
    """What a profile photo (or a provider's logo) must be (the byte limit is a setting:
    AVATAR_MAX_UPLOAD_BYTES)."""
    size = settings.AVATAR_SIZE_PX
    return ImageRules(
        noun=noun,
        max_bytes=settings.AVATAR_MAX_UPLOAD_BYTES,
        min_side=AVATAR_MIN_SIDE_PX,
        size=(size, size),
        crop=True,
    )


def avatar_encode(*, upload: UploadedFile, noun: str = "profile photo") -> ContentFile:
    """Check `upload` (marketplace.images: size, format, pixels, then a bounded decode) and
    re-encode it as a square JPEG.

    Re-encoding drops whatever else the file carried (scripts, EXIF location data).
    """
    square = image_decode(upload=upload, rules=avatar_rules(noun=noun))
    return ContentFile(image_jpeg(square, quality=85), name=f"{uuid.uuid4().hex}.jpg")


def provider_set_logo(*, profile: ProviderProfile, upload: UploadedFile) -> ProviderProfile:
    """Store the provider's photo or logo, checked and re-encoded as avatars are."""
    encoded = avatar_encode(upload=upload, noun="photo or logo")
    previous = profile.logo.name if profile.logo else ""
    with transaction.atomic():
        profile.logo.save(encoded.name, encoded, save=False)
        profile.save(update_fields=["logo", "updated_at"])
        if previous:
            storage = profile.logo.storage
            transaction.on_commit(lambda: storage.delete(previous))
        pages_changed()
    return profile


def user_set_avatar(*, user: User, upload: UploadedFile) -> User:
    encoded = avatar_encode(upload=upload)
    previous = user.avatar.name if user.avatar else ""
    with transaction.atomic():
        user.avatar.save(encoded.name, encoded, save=False)
        user.save(update_fields=["avatar"])
        if previous:
            storage = user.avatar.storage
            transaction.on_commit(lambda: storage.delete(previous))
        pages_changed()
    return user


def base_location_resolve(
    *, city: City | None, latitude: float | None, longitude: float | None
) -> tuple[City, Point]:
    """Turn the onboarding choice (a city, a map pin, or both) into a home city and a point."""
    if latitude is None or longitude is None:
        if city is None:
            raise Invalid("Choose your city or drop a pin on the map.")
        return city, city.point
    point = Point(longitude, latitude, srid=4326)
    if city is None:
        city = city_nearest(point=point)
        if city is None:
            raise Invalid("There are no cities to serve yet.")
    if not City.objects.filter(
        pk=city.pk, point__dwithin=(point, D(km=MAX_PIN_DISTANCE_FROM_CITY_KM))
    ).exists():
        raise Invalid(
            f"Your pin is more than {MAX_PIN_DISTANCE_FROM_CITY_KM} km from {city.name}. "
            "Move the pin or choose the city you work from."
        )
    return city, point


def _unique_provider_slug(business_name: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(business_name)[:120] or "provider"
    taken = ProviderProfile.objects.filter(slug__startswith=base)
    if exclude_pk:
        taken = taken.exclude(pk=exclude_pk)
    used = set(taken.values_list("slug", flat=True))
    if base not in used:
        return base
    suffix = 2
    while f"{base}-{suffix}" in used:
        suffix += 1
    return f"{base}-{suffix}"


def provider_local_today(*, city: City) -> date:
    """Today's date where the provider works (their base city's zone; the site's if unknown)."""
    try:
        zone = ZoneInfo(city.timezone)
    except (ValueError, LookupError):  # a zone name typed wrong in the admin
        zone = ZoneInfo(settings.TIME_ZONE)
    return timezone.localdate(timezone=zone)


def insurance_expiry_check(*, insurance_expires_on: date | None, city: City) -> None:
    """Refuse a policy that has already expired where the provider works (an expiry of today
    is still cover for today)."""
    if insurance_expires_on is not None and insurance_expires_on < provider_local_today(city=city):
        raise Invalid(
            fields={
                "insurance_expires_on": (
                    f"This policy expired on {insurance_expires_on:%-d %b %Y}. Enter the "
                    "details of a current policy, or leave insurance empty until you have one."
                )
            }
        )


def _check_radius(service_radius_km: int) -> None:
    maximum = settings.PROVIDER_MAX_SERVICE_RADIUS_KM
    if not 1 <= service_radius_km <= maximum:
        raise Invalid(
            fields={"service_radius_km": f"The service radius must be between 1 and {maximum} km."}
        )


@transaction.atomic
def provider_onboard(
    *,
    user: User,
    business_name: str,
    bio: str,
    base_city: City,
    base_point: Point,
    service_radius_km: int,
    phone: str,
    licence_number: str = "",
    insurance_provider: str = "",
    insurance_policy_number: str = "",
    insurance_expires_on: date | None = None,
) -> ProviderProfile:
    """Create the provider profile of `user`; it waits for a moderator's approval."""
    if ProviderProfile.objects.select_for_update().filter(user=user).exists():
        raise Conflict("You already have a provider profile.")
    _check_radius(service_radius_km)
    insurance_expiry_check(insurance_expires_on=insurance_expires_on, city=base_city)
    user.phone = phone.strip()
    user.save(update_fields=["phone"])
    profile = ProviderProfile.objects.create(
        user=user,
        business_name=business_name.strip(),
        slug=_unique_provider_slug(business_name),
        bio=bio.strip(),
        base_city=base_city,
        base_point=base_point,
        service_radius_km=service_radius_km,
        licence_number=licence_number.strip(),
        insurance_provider=insurance_provider.strip(),
        insurance_policy_number=insurance_policy_number.strip(),
        insurance_expires_on=insurance_expires_on,
    )
    ProviderStatusEvent.objects.create(
        profile=profile, from_status="", to_status=profile.status, actor=user, reason="Signed up"
    )
    return profile


# Changing these means a moderator must look again at the licence or insurance.
_LICENCE_FIELDS = ("licence_number",)
_INSURANCE_FIELDS = ("insurance_provider", "insurance_policy_number", "insurance_expires_on")


@transaction.atomic
def provider_profile_update(
    *,
    profile: ProviderProfile,
    business_name: str,
    bio: str,
    base_city: City,
    base_point: Point,
    service_radius_km: int,
    phone: str,
    licence_number: str = "",
    insurance_provider: str = "",
    insurance_policy_number: str = "",
    insurance_expires_on: date | None = None,
) -> ProviderProfile:
    _check_radius(service_radius_km)
    if insurance_expires_on != profile.insurance_expires_on:
        # An unchanged date is left alone: the nightly task has already un-verified it.
        insurance_expiry_check(insurance_expires_on=insurance_expires_on, city=base_city)
    changes = {
        "business_name": business_name.strip(),
        "bio": bio.strip(),
        "base_city": base_city,
        "base_point": base_point,
        "service_radius_km": service_radius_km,
        "licence_number": licence_number.strip(),
        "insurance_provider": insurance_provider.strip(),
        "insurance_policy_number": insurance_policy_number.strip(),
        "insurance_expires_on": insurance_expires_on,
    }
    if any(getattr(profile, f) != changes[f] for f in _LICENCE_FIELDS):
        profile.licence_verified = False
    if any(getattr(profile, f) != changes[f] for f in _INSURANCE_FIELDS):
        profile.insurance_verified = False
    if changes["business_name"] != profile.business_name:
        profile.slug = _unique_provider_slug(changes["business_name"], exclude_pk=profile.pk)
    for field, value in changes.items():
        setattr(profile, field, value)
    if profile.status == ProviderProfile.Status.REJECTED:
        # A rejected provider who fixes their details goes back in the queue to be checked again.
        ProviderStatusEvent.objects.create(
            profile=profile,
            from_status=profile.status,
            to_status=ProviderProfile.Status.PENDING,
            actor=profile.user,
            reason="Updated the profile after rejection",
        )
        profile.status = ProviderProfile.Status.PENDING
    profile.save()
    profile.user.phone = phone.strip()
    profile.user.save(update_fields=["phone"])
    pages_changed()
    return profile


@transaction.atomic
def provider_set_status(
    *,
    profile: ProviderProfile,
    status: ProviderProfile.Status,
    actor: User | None,
    reason: str = "",
) -> ProviderProfile:
    """Approve, reject, suspend or reinstate a provider, and record who did it and why."""
    locked = ProviderProfile.objects.select_for_update().get(pk=profile.pk)
    if locked.status == status:
        return locked
    if status in (ProviderProfile.Status.REJECTED, ProviderProfile.Status.SUSPENDED) and not reason:
        raise Invalid(fields={"reason": "Give a reason: the provider is shown it."})
    event = ProviderStatusEvent.objects.create(
        profile=locked, from_status=locked.status, to_status=status, actor=actor, reason=reason
    )
    if actor is not None:
        moderation_record(actor=actor, action=f"provider_{status}", reason=reason, provider=locked)
    # Queued after commit; if the broker is down the sweeper below sends it later.
    enqueue_on_commit(send_provider_status_email, event_id=event.pk)
    locked.status = status
    locked.status_reason = reason
    if status == ProviderProfile.Status.APPROVED and locked.approved_at is None:
        locked.approved_at = timezone.now()
    locked.save(update_fields=["status", "status_reason", "approved_at", "updated_at"])
    if status == ProviderProfile.Status.SUSPENDED:
        send_on_commit(
            provider_suspended, sender=ProviderProfile, profile=locked, actor=actor, reason=reason
        )
    # Approval puts the provider's listings on the public pages, anything else takes them off.
    pages_changed()
    return locked


def _moderator_check(*, user: User, actor: User) -> None:
    """Moderators act on customers and providers; staff accounts are a superuser's business."""
    if user.pk == actor.pk:
        raise NotAllowed("You cannot suspend or reinstate your own account.")
    if (user.is_staff or user.is_superuser) and not actor.is_superuser:
        raise NotAllowed(f"{user.email} is a staff account: only a superuser can change it.")


def _reason_required(reason: str, *, shown_to: str = "the person") -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise Invalid(fields={"reason": f"Give a reason: {shown_to} is shown it."})
    return reason[:300]


@transaction.atomic
def user_suspend(*, user: User, actor: User, reason: str) -> User:
    """Suspend an account: it can no longer sign in; its open sessions end at their next
    request (Django's backend refuses an inactive user each time, so no session needs finding:
    the session table has no index by user, and reading it all would cost what it holds); a
    provider's profile is suspended too (its listings leave every public page); and bookings
    cancels the open bookings on both sides once this commits (accounts.signals.user_suspended).
    """
    reason = _reason_required(reason)
    locked = User.objects.select_for_update().get(pk=user.pk)
    _moderator_check(user=locked, actor=actor)
    if locked.suspended_at is not None:
        raise WrongState(f"{locked.email} is suspended already.")
    locked.is_active = False
    locked.suspended_at = timezone.now()
    locked.suspension_reason = reason
    locked.save(update_fields=["is_active", "suspended_at", "suspension_reason"])
    moderation_record(actor=actor, action="suspend", reason=reason, user=locked)
    profile = ProviderProfile.objects.filter(user=locked).first()
    if profile is not None and profile.status != ProviderProfile.Status.SUSPENDED:
        provider_set_status(
            profile=profile, status=ProviderProfile.Status.SUSPENDED, actor=actor, reason=reason
        )
    send_on_commit(user_suspended, sender=User, user=locked, actor=actor, reason=reason)
    return locked


@transaction.atomic
def user_reinstate(*, user: User, actor: User, reason: str) -> User:
    """Lift a suspension: the person can sign in again, and a provider profile that the
    suspension suspended goes back to the status it had (approved, or still waiting)."""
    reason = _reason_required(reason)
    locked = User.objects.select_for_update().get(pk=user.pk)
    _moderator_check(user=locked, actor=actor)
    if locked.suspended_at is None:
        raise WrongState(f"{locked.email} is not suspended.")
    suspended_at = locked.suspended_at
    locked.is_active = True
    locked.suspended_at = None
    locked.suspension_reason = ""
    locked.save(update_fields=["is_active", "suspended_at", "suspension_reason"])
    moderation_record(actor=actor, action="reinstate", reason=reason, user=locked)
    profile = ProviderProfile.objects.filter(user=locked).first()
    if profile is not None and profile.status == ProviderProfile.Status.SUSPENDED:
        # Only a suspension that came with the account's is undone; one a moderator made on
        # the profile before it stays until lifted on the profile itself.
        last = profile.events.order_by("-at", "-pk").first()
        if last is not None and last.from_status and last.at >= suspended_at:
            provider_set_status(
                profile=profile, status=last.from_status, actor=actor, reason=reason
            )
    return locked


def moderation_record(
    *,
    actor: User | None,
    action: str,
    reason: str = "",
    user: User | None = None,
    provider: ProviderProfile | None = None,
    target: models.Model | None = None,
) -> ModerationAction:
    """Write one line of the moderation trail, in the caller's transaction.

    `target` is what was acted on (a listing, a review, a message...); it is kept as its
    label and "app.model" name so that the trail outlives it and accounts imports no app above.
    """
    if provider is not None and user is None:
        user = provider.user
    return ModerationAction.objects.create(
        actor=actor,
        action=action[:32],
        reason=reason[:300],
        user=user,
        provider=provider,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=target.pk if target is not None else None,
        target_label=str(target)[:200] if target is not None else "",
    )


# Which status changes the provider hears about by email, and the subject line of each.
_STATUS_EMAIL_SUBJECTS = {
    ProviderProfile.Status.APPROVED: "Your provider profile is approved",
    ProviderProfile.Status.REJECTED: "We could not approve your provider profile",
    ProviderProfile.Status.SUSPENDED: "Your provider profile is suspended",
}


def provider_status_email_send(*, event_id: int) -> bool:
    """Email the provider about a status change once; returns whether an email went out."""
    with transaction.atomic():
        event = (
            ProviderStatusEvent.objects.select_for_update(of=("self",))
            .select_related("profile__user")
            .filter(pk=event_id, emailed_at__isnull=True)
            .first()
        )
        subject = event and _STATUS_EMAIL_SUBJECTS.get(event.to_status)
        if not subject:
            return False
        context = {
            "event": event,
            "profile": event.profile,
            "portal_url": settings.SITE_URL.rstrip("/") + reverse("portal_home"),
        }
        send_mail(
            subject=f"[Nearhand] {subject}",
            message=render_to_string("accounts/email/provider_status.txt", context),
            from_email=None,
            recipient_list=[event.profile.user.email],
        )
        event.emailed_at = timezone.now()
        event.save(update_fields=["emailed_at"])
    return True


# A status email whose task has not sent it within this long is presumed lost and sent again
# (beat sweeps every 5 minutes); one older than the window is stale news and left alone.
STATUS_EMAIL_SWEEP_AFTER = timedelta(minutes=2)
STATUS_EMAIL_SWEEP_WINDOW = timedelta(days=2)
STATUS_EMAIL_SWEEP_BATCH = 200


def unsent_provider_status_emails_sweep(*, now: datetime | None = None) -> int:
    """Send the status emails whose task never ran (broker down) or failed; returns how many
    went out. Safe beside the task: each event is locked and stamped as it is sent."""
    now = now or timezone.now()
    pending = list(
        ProviderStatusEvent.objects.filter(
            emailed_at__isnull=True,
            to_status__in=list(_STATUS_EMAIL_SUBJECTS),
            at__lt=now - STATUS_EMAIL_SWEEP_AFTER,
            at__gte=now - STATUS_EMAIL_SWEEP_WINDOW,
        )
        .order_by("at", "pk")
        .values_list("pk", flat=True)[:STATUS_EMAIL_SWEEP_BATCH]
    )
    sent = 0
    for event_id in pending:
        try:
            sent += provider_status_email_send(event_id=event_id)
        except OSError as error:  # the mail server: the next sweep tries again
            logger.warning("Status email for event %s failed: %r", event_id, error)
    return sent


# Days before a policy's expiry that its provider is warned, largest first.
INSURANCE_NOTICE_DAYS = (30, 7)


def insurance_expired_sweep(*, today: date | None = None) -> int:
    """Un-verify the insurance of every policy that has expired (on its expiry day, as the
    badge does); returns how many. A renewed policy is checked by a moderator again."""
    today = today or insurance_badge_today()
    expired = ProviderProfile.objects.filter(
        insurance_verified=True, insurance_expires_on__lte=today
    ).update(insurance_verified=False, updated_at=timezone.now())
    if expired:
        # The "insured" badge is on their pages.
        pages_changed()
    return expired


def insurance_notices_send(*, today: date | None = None) -> int:
    """Warn providers whose policy expires within the notice periods; returns how many notices
    went out. Safe to run any number of times: each notice is recorded and sent once."""
    today = today or insurance_badge_today()
    due = ProviderProfile.objects.filter(
        insurance_expires_on__gt=today,
        insurance_expires_on__lte=today + timedelta(days=INSURANCE_NOTICE_DAYS[0]),
    ).exclude(insurance_policy_number="")
    sent = 0
    for profile_id in due.order_by("pk").values_list("pk", flat=True):
        try:
            sent += insurance_notice_send(profile_id=profile_id, today=today)
        except Exception:  # one provider's failure must not hold back the others' notices
            logger.exception("Insurance notice for provider %s failed", profile_id)
    return sent


@transaction.atomic
def insurance_notice_send(*, profile_id: int, today: date) -> bool:
    """Send the one notice now due for this provider's policy, unless it went already."""
    profile = (
        ProviderProfile.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(pk=profile_id)
        .first()
    )
    expires_on = profile and profile.insurance_expires_on
    if not expires_on or expires_on <= today:
        return False
    days_left = (expires_on - today).days
    # The nearest notice period that has begun: a policy entered 20 days before its expiry gets
    # the 30-day notice, one entered 5 days before only the 7-day one.
    due = [days for days in INSURANCE_NOTICE_DAYS if days_left <= days]
    if not due:
        return False
    _, created = ProviderInsuranceNotice.objects.get_or_create(
        profile=profile, expires_on=expires_on, days_before=due[-1]
    )
    if created:
        insurance_expiring.send(
            sender=ProviderProfile,
            **insurance_expiring_message(profile=profile, days_left=days_left),
        )
    return created


def sign_in_record(
    *,
    user: User | None,
    email: str,
    succeeded: bool,
    ip_address: str | None,
    user_agent: str,
    device_id: str = "",
    kind: str = SignInEvent.Kind.SIGN_IN,
) -> SignInEvent:
    """One line of the sign-in log: a sign-in (successful or failed) or a sign-up, with the
    client's address, user agent and device cookie (the fraud rules link accounts by them)."""
    return SignInEvent.objects.create(
        user=user,
        email=email[:254],
        kind=kind,
        succeeded=succeeded,
        ip_address=ip_address or None,
        user_agent=user_agent[:300],
        device_id=device_id[:64],
    )


def user_tokens_revoke(*, user: User) -> int:
    """Blacklist every refresh token of `user` that is still good (after a password change or
    reset: whoever held the old password may hold a token too); returns how many."""
    live = OutstandingToken.objects.filter(user=user, expires_at__gt=timezone.now()).exclude(
        blacklistedtoken__isnull=False
    )
    revoked = BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in live], ignore_conflicts=True
    )
    return len(revoked)


# What deleting an unverified account may take with it: its own bookkeeping (addresses and
# their confirmations, the sign-in log, notifications, API tokens) and an empty provider
# profile still waiting for approval (its hours, its status trail). Anything else the deletion
# would reach (a booking, a posted job, a message, a review, a payment, a listing, a
# moderator's record, a fraud signal) means the account did something that must be kept.
_UNVERIFIED_DELETION_MAY_TAKE = frozenset(
    {
        "accounts.User",
        "account.EmailAddress",
        "account.EmailConfirmation",
        "accounts.SignInEvent",
        "notifications.Notification",
        "token_blacklist.OutstandingToken",
        "token_blacklist.BlacklistedToken",
        "accounts.ProviderProfile",
        "accounts.ProviderStatusEvent",
        "accounts.ProviderInsuranceNotice",
        "bookings.WeeklyAvailability",
        "bookings.AvailabilityException",
    }
)


def _has_rows(objs) -> bool:
    return any(obj.exists() if isinstance(obj, models.QuerySet) else True for obj in objs)


def user_deletion_reaches(*, user: User) -> set[str] | None:
    """The models ("app.Model") whose rows deleting `user` would delete or change, asked of
    Django's deletion collector (it knows every relation, so accounts imports no app above it);
    None when a protected relation (a booking, a payment, a review...) forbids the deletion."""
    collector = Collector(using=router.db_for_write(User), origin=user)
    try:
        collector.collect([user])
    except (ProtectedError, RestrictedError):
        return None
    reached = {model._meta.label for model, rows in collector.data.items() if rows}
    reached |= {qs.model._meta.label for qs in collector.fast_deletes if qs.exists()}
    reached |= {
        field.model._meta.label
        for (field, _), objs in collector.field_updates.items()
        if _has_rows(objs)
    }
    return reached


def _unverified_user_deletable(user: User) -> bool:
    reached = user_deletion_reaches(user=user)
    if reached is None or not reached <= _UNVERIFIED_DELETION_MAY_TAKE:
        return False
    profile = ProviderProfile.objects.filter(user=user).first()
    return profile is None or profile.status == ProviderProfile.Status.PENDING


@transaction.atomic
def user_unverified_delete(*, user_id: int, joined_before: datetime) -> bool:
    """Delete one account that never verified its email, signed up before `joined_before` and
    did nothing that must be kept; returns whether it went. The account is locked first (a row
    that refers to it, a booking say, cannot be written meanwhile) and checked again; one in use
    right now is skipped until the next run. Its photo and logo files go after commit."""
    user = (
        users_unverified_since(joined_before=joined_before)
        .select_for_update(of=("self",), skip_locked=True)
        .filter(pk=user_id)
        .first()
    )
    if user is None:
        return False
    # Their addresses too, checked under the lock: a confirmation committed meanwhile wins.
    addresses = EmailAddress.objects.select_for_update().filter(user=user)
    if any(addresses.values_list("verified", flat=True)) or not _unverified_user_deletable(user):
        return False
    files = [
        user.avatar.name,
        *ProviderProfile.objects.filter(user=user).values_list("logo", flat=True),
    ]
    user.delete()
    transaction.on_commit(lambda: _files_delete(files), robust=True)
    return True


def _files_delete(names: list[str]) -> None:
    for name in filter(None, names):
        default_storage.delete(name)


def unverified_users_delete(
    *, joined_before: datetime, batch_size: int, dry_run: bool = False
) -> int:
    """Delete every account that never verified its email and signed up before
    `joined_before`, unless it did something that must be kept (see
    `_UNVERIFIED_DELETION_MAY_TAKE`); each in its own transaction. Returns how many went (or
    would go)."""
    candidates = users_unverified_since(joined_before=joined_before)
    removed = 0
    for ids in ids_in_batches(candidates, batch_size=batch_size):
        if dry_run:
            removed += sum(map(_unverified_user_deletable, candidates.filter(pk__in=ids)))
            continue

        def delete(pk: int) -> bool:
            return user_unverified_delete(user_id=pk, joined_before=joined_before)

        removed += sum(each_logged(ids, delete, what="deleting the unverified account"))
    return removed


def sign_in_events_purge(*, before: datetime, batch_size: int, dry_run: bool = False) -> int:
    """Delete the sign-in log's lines older than `before`; returns how many."""
    old = SignInEvent.objects.filter(at__lt=before)
    return delete_in_batches(old, batch_size=batch_size, dry_run=dry_run)


def sessions_expired_clear(*, now: datetime, batch_size: int, dry_run: bool = False) -> int | None:
    """Delete expired sessions (Django's `clearsessions`, in batches); returns how many, or
    None for a session engine that keeps no table to count (its own `clear_expired` runs)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not issubclass(store, DatabaseSessionStore):
        if not dry_run:
            store.clear_expired()
        return None
    expired = store.get_model_class().objects.filter(expire_date__lt=now)
    return delete_in_batches(expired, batch_size=batch_size, dry_run=dry_run)
