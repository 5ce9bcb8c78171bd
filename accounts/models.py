import hashlib
from datetime import date
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models.functions import Lower
from django.utils import timezone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person with an account; signs in by email. A provider too when it has a profile."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField("email address", unique=True)
    name = models.CharField(max_length=120, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    avatar = models.ImageField(upload_to="avatars/", blank=True)
    # Chosen at sign-up ("I offer services"): sends the person to onboarding until a profile exists.
    wants_to_offer_services = models.BooleanField(default=False)
    # Set by a moderator (accounts.services.user_suspend), with `is_active` cleared: a
    # suspended person cannot sign in, and their open sessions stop at the next request.
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspension_reason = models.CharField(max_length=300, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.name or self.email

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email

    @property
    def is_provider(self) -> bool:
        return hasattr(self, "provider_profile")


class ProviderProfile(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        SUSPENDED = "suspended", "Suspended"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_profile"
    )
    business_name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    bio = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING, db_index=True)
    status_reason = models.CharField(
        max_length=300, blank=True, help_text="Shown to the provider when rejected or suspended."
    )
    base_city = models.ForeignKey("places.City", on_delete=models.PROTECT, related_name="providers")
    base_point = models.PointField(geography=True, srid=4326)
    service_radius_km = models.PositiveSmallIntegerField(
        validators=[
            MinValueValidator(1),
            MaxValueValidator(settings.PROVIDER_MAX_SERVICE_RADIUS_KM),
        ]
    )
    licence_number = models.CharField(max_length=40, blank=True)
    insurance_provider = models.CharField(max_length=80, blank=True)
    insurance_policy_number = models.CharField(max_length=40, blank=True)
    insurance_expires_on = models.DateField(null=True, blank=True)
    # A photo or logo the provider uploaded (square JPEG, re-encoded); a monogram stands in without.
    logo = models.ImageField(upload_to="logos/", blank=True)
    licence_verified = models.BooleanField(default=False)
    insurance_verified = models.BooleanField(default=False)
    rating_average = models.DecimalField(max_digits=3, decimal_places=2, default=0)
    rating_count = models.PositiveIntegerField(default=0)
    response_time_median_minutes = models.PositiveIntegerField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["business_name"]
        indexes = [
            # Search matches query words inside approved providers' names with
            # lower(business_name) LIKE '%word%' (listings.search: providers_named and the typo
            # check); a trigram index answers that without reading every provider.
            GinIndex(
                OpClass(Lower("business_name"), name="gin_trgm_ops"),
                name="provider_approved_name_trgm",
                condition=models.Q(status="approved"),
            ),
        ]

    def __str__(self) -> str:
        return self.business_name

    @property
    def insurance_is_current(self) -> bool:
        """Checked insurance that has not expired: the "insured" badge. Computed from the date,
        so the badge goes on the expiry day even before the nightly task un-verifies it."""
        if not self.insurance_verified:
            return False
        expires_on = self.insurance_expires_on
        return expires_on is None or expires_on > insurance_badge_today()

    @property
    def insurance_has_expired(self) -> bool:
        """The policy's expiry day has begun (checked or not): the portal asks for the renewal."""
        expires_on = self.insurance_expires_on
        return expires_on is not None and expires_on <= insurance_badge_today()

    @property
    def is_verified(self) -> bool:
        return self.licence_verified and self.insurance_is_current

    @property
    def monogram_initials(self) -> str:
        return monogram_initials_for(self.business_name)

    @property
    def monogram_colour(self) -> str:
        return monogram_colour_for(self.pk or self.slug)

    @property
    def logo_url(self) -> str:
        return self.logo.url if self.logo else ""


def monogram_initials_for(business_name: str) -> str:
    """Up to two initials of the business name ("Hills District Electrical" -> "HD")."""
    words = [w for w in business_name.split() if w[:1].isalnum()]
    return "".join(w[0] for w in words[:2]).upper() or "?"


def monogram_colour_for(key: int | str) -> str:
    """A background colour of its own for a provider's monogram (from its id), stable across
    renames."""
    digest = hashlib.sha256(str(key).encode()).digest()
    return MONOGRAM_COLOURS[digest[0] % len(MONOGRAM_COLOURS)]


# Monogram backgrounds: each gives white text a contrast of at least 4.5:1 (WCAG AA for small
# text; accounts.tests check every one), distinct hues so neighbouring cards differ.
MONOGRAM_COLOURS = (
    "#0b6e4f", "#1d4ed8", "#7c3aed", "#b91c1c", "#9a3412", "#0e7490", "#4d7c0f", "#be185d",
    "#6d28d9", "#1e40af", "#a16207", "#374151", "#047857", "#c2410c", "#0369a1", "#86198f",
)  # fmt: skip

# The "insured" badge goes when the expiry day begins in eastern Australia, the first of the
# zones we serve to reach it, so it is never shown on an expired policy in any of them.
INSURANCE_BADGE_ZONE = ZoneInfo("Australia/Sydney")


def insurance_badge_today() -> date:
    return timezone.localdate(timezone=INSURANCE_BADGE_ZONE)


class ProviderInsuranceNotice(models.Model):
    """A warning sent to a provider that their policy expires soon: one row per policy expiry
    and notice, so a task that runs twice (or every hour) sends each notice once."""

    profile = models.ForeignKey(
        ProviderProfile, on_delete=models.CASCADE, related_name="insurance_notices"
    )
    expires_on = models.DateField()
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "expires_on", "days_before"], name="insurance_notice_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.profile}: {self.days_before} days before {self.expires_on}"


class ProviderStatusEvent(models.Model):
    """The moderation trail: every change of a provider's status, who made it and why."""

    profile = models.ForeignKey(ProviderProfile, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=10, choices=ProviderProfile.Status, blank=True)
    to_status = models.CharField(max_length=10, choices=ProviderProfile.Status)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)
    # Set once the provider has been emailed about this change (so a retried task sends nothing).
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.profile}: {self.from_status or 'new'} → {self.to_status}"


class SignInEvent(models.Model):
    """The sign-in log: sign-ups and successful and failed sign-ins, for support and the fraud
    rules (reviews/fraud.py), with the client's address, user agent and device cookie."""

    class Kind(models.TextChoices):
        SIGN_IN = "sign_in", "Sign-in"
        SIGN_UP = "sign_up", "Sign-up"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sign_ins",
    )
    email = models.EmailField(blank=True)
    kind = models.CharField(max_length=7, choices=Kind, default=Kind.SIGN_IN)
    succeeded = models.BooleanField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    device_id = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["ip_address", "at"], name="sign_in_ip_at"),
            models.Index(fields=["device_id", "at"], name="sign_in_device_at"),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.SIGN_UP:
            return f"{self.email} signed up at {self.at:%Y-%m-%d %H:%M}"
        outcome = "signed in" if self.succeeded else "failed to sign in"
        return f"{self.email} {outcome} at {self.at:%Y-%m-%d %H:%M}"


class ModerationAction(models.Model):
    """The moderation trail: every moderator's action, who took it, when and why, on whom.

    Written by the services that act (accounts, listings, reviews, chat) through
    `accounts.services.moderation_record`; the admin shows it per user and per provider.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # A short verb: "suspend", "reinstate", "approve", "reject", "hide_listing",
    # "publish_review", "hide_review", "dismiss_signal"...
    action = models.CharField(max_length=32)
    reason = models.CharField(max_length=300, blank=True)
    # Whom it concerns: the account, and the provider when there is one.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="moderation_actions",
    )
    provider = models.ForeignKey(
        ProviderProfile,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="moderation_actions",
    )
    # What it was done to ("listings.service", "reviews.review"...), as text so that accounts
    # need not know the models above it.
    target_type = models.CharField(max_length=40, blank=True)
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target_label = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.target_label or self.user_id} by {self.actor_id}"
