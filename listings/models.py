from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator

from .attributes import validate_attribute_schema

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


class City(models.Model):
    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80, unique=True)
    state = models.CharField(max_length=3, help_text="State or territory code, e.g. NSW.")
    country = models.CharField(max_length=2, default="AU")
    point = models.PointField(geography=True, srid=4326)
    timezone = models.CharField(max_length=40, help_text="IANA zone, e.g. Australia/Perth.")
    population = models.PositiveIntegerField(validators=[MinValueValidator(0)], default=0)

    class Meta:
        verbose_name_plural = "cities"
        ordering = ["-population", "name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.state}"
