from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import F
from django.urls import reverse

from .attributes import validate_attribute_schema
from .policies import CancellationPolicy

# First path segments the site itself uses: a category or subcategory slug must not take one.
RESERVED_SLUGS = frozenset(
    {
        "search", "services", "pros", "portal", "bookings", "jobs", "messages", "notifications",
        "accounts", "admin", "api", "ws", "healthz", "sitemap.xml", "robots.txt", "static",
        "media", "account", "about", "help", "terms", "privacy",
    }
)  # fmt: skip


def validate_catalogue_slug(slug: str) -> None:
    if slug in RESERVED_SLUGS:
        raise ValidationError(f"“{slug}” is a reserved address on the site; choose another slug.")


class CatalogueNode(models.Model):
    """Fields shared by categories and subcategories; their slugs share one URL space."""

    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80, unique=True, validators=[validate_catalogue_slug])
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from .selectors import catalogue_slug_taken

        if self.slug and catalogue_slug_taken(slug=self.slug, exclude=self):
            raise ValidationError({"slug": "A category or subcategory already uses this slug."})


class Category(CatalogueNode):
    # The marketplace's commission on a job in this category; blank takes PLATFORM_FEE_PERCENT.
    # Bookings snapshot it (bookings.Booking.platform_fee_percent) like the price.
    platform_fee_percent = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(50)],
        help_text="The platform fee on jobs in this category, in percent (blank: the default).",
    )

    class Meta(CatalogueNode.Meta):
        verbose_name_plural = "categories"


class Subcategory(CatalogueNode):
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="subcategories")
    attribute_schema = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_attribute_schema],
        help_text="Extra fields for listings: a list of {name, label, type, choices, required}.",
    )

    class Meta(CatalogueNode.Meta):
        verbose_name_plural = "subcategories"


class Service(models.Model):
    """A listing: one thing a provider offers in one city, with its own service area."""

    class PriceType(models.TextChoices):
        FIXED = "fixed", "Fixed price"
        HOURLY = "hourly", "Hourly rate"
        QUOTE = "quote", "On quote"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        HIDDEN = "hidden", "Hidden by moderators"
        # Deleted by its provider while bookings or quotes still refer to it.
        ARCHIVED = "archived", "Archived"

    provider = models.ForeignKey(
        "accounts.ProviderProfile", on_delete=models.CASCADE, related_name="services"
    )
    subcategory = models.ForeignKey(Subcategory, on_delete=models.PROTECT, related_name="services")
    city = models.ForeignKey("places.City", on_delete=models.PROTECT, related_name="services")
    title = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140)
    description = models.TextField()
    price_type = models.CharField(max_length=6, choices=PriceType, default=PriceType.FIXED)
    price = models.DecimalField(
        max_digits=9, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    duration_minutes = models.PositiveIntegerField(
        default=60, validators=[MinValueValidator(15)], help_text="How long a typical job takes."
    )
    point = models.PointField(geography=True, srid=4326)
    service_radius_km = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    attributes = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=8, choices=Status, default=Status.DRAFT)
    # A copy of "the provider is approved", so the public rows (active, approved) are one
    # table's predicate: search's partial index holds exactly them and no query joins the
    # providers to filter (a hash of every provider, growing with the catalogue). Database
    # triggers keep it (migration 0009): every insert or write of the row reads the provider's
    # status, and a provider's status change rewrites their services' copies, whatever wrote it
    # (services, admin, bulk updates, the seed).
    provider_approved = models.BooleanField(default=False, editable=False)
    instant_book = models.BooleanField(default=False)
    cancellation_policy = models.CharField(
        max_length=8, choices=CancellationPolicy, default=CancellationPolicy.MODERATE
    )
    search_vector = SearchVectorField(null=True, editable=False)
    rating_average = models.DecimalField(max_digits=3, decimal_places=2, default=0)
    rating_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When the provider was told this draft, untouched for CLEANUP_DRAFT_LISTING_DAYS, will be
    # removed (written with update(), so it does not count as touching it). A notice older than
    # the last edit is void: the draft was touched since, and its clock starts again.
    draft_notice_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # Every listing's words: typo correction asks whether any listing has a word.
            GinIndex(fields=["search_vector"], name="service_search_vector_gin"),
            # Only the rows search can return (service_public()'s WHERE): a quarter smaller
            # than the whole index at 100k, and no provider join to filter what it returns
            # (listings/tests/test_search_plans.py checks it is used).
            GinIndex(
                fields=["search_vector"],
                name="service_public_search_gin",
                condition=models.Q(status="active", provider_approved=True),
            ),
            models.Index(fields=["subcategory", "city", "status"], name="service_browse_idx"),
            models.Index(fields=["city", "status"], name="service_city_status_idx"),
            models.Index(fields=["provider", "status"], name="service_provider_status_idx"),
            # Category x city pages, best rated first: walk these in order and stop after a
            # page instead of sorting every match (126 ms -> a few ms at 1M services).
            models.Index(
                "city",
                F("rating_average").desc(),
                F("rating_count").desc(),
                F("id").desc(),
                name="service_city_rating_idx",
                condition=models.Q(status="active"),
            ),
            models.Index(
                "subcategory",
                "city",
                F("rating_average").desc(),
                F("rating_count").desc(),
                F("id").desc(),
                name="service_sub_city_rating_idx",
                condition=models.Q(status="active"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price_type="quote") | models.Q(price__isnull=False),
                name="service_price_unless_quote",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("service_detail", kwargs={"pk": self.pk, "slug": self.slug})


def photo_upload_to(photo: "ServicePhoto", filename: str) -> str:
    return f"services/{photo.service_id}/{filename}"


class ServicePhoto(models.Model):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to=photo_upload_to, width_field="width", height_field="height")
    thumbnail = models.ImageField(upload_to=photo_upload_to)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    alt_text = models.CharField(max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"Photo {self.position + 1} of {self.service}"


class SearchTerm(models.Model):
    """The distinct words of the public catalogue, used to correct typos in search queries.

    Matching a query word against a few thousand words through a trigram index takes well
    under a millisecond; matching it against every title does not scale.
    """

    word = models.CharField(max_length=40, unique=True)
    frequency = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            # GIN answers `word % 'typo'` (similarity >= 0.3, pg_trgm's threshold) in about
            # 0.8 ms for a 3,098-word lexicon where the GiST KNN walk took about 1.4 ms.
            GinIndex(fields=["word"], name="search_term_word_trgm_gin", opclasses=["gin_trgm_ops"])
        ]

    def __str__(self) -> str:
        return self.word
