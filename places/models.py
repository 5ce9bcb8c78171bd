"""Cities and suburbs: where providers work and customers live.

The tables keep the names they had in the listings app (listings_city, listings_suburb), so
databases from before the places app migrate without moving a row.
"""

from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.validators import MinValueValidator
from django.db.models.functions import Lower


class City(models.Model):
    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80, unique=True)
    state = models.CharField(max_length=3, help_text="State or territory code, e.g. NSW.")
    country = models.CharField(max_length=2, default="AU")
    point = models.PointField(geography=True, srid=4326)
    timezone = models.CharField(max_length=40, help_text="IANA zone, e.g. Australia/Perth.")
    population = models.PositiveIntegerField(validators=[MinValueValidator(0)], default=0)

    class Meta:
        db_table = "listings_city"
        verbose_name_plural = "cities"
        ordering = ["-population", "name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.state}"


class Suburb(models.Model):
    """A place inside or near one of our cities, so people can type "Bondi" and be understood."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="suburbs")
    name = models.CharField(max_length=80, db_index=True)
    state = models.CharField(max_length=3)
    point = models.PointField(geography=True, srid=4326)
    population = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "listings_suburb"
        ordering = ["-population", "name"]
        # Place lookups compare lower(name) (places_named, place_resolve, the typo check's
        # "names a place"): the btree answers `=` and `= ANY`, the trigram index answers
        # `LIKE 'prefix%'`, `LIKE '%word%'` and the similarity operator `%`.
        indexes = [
            models.Index(Lower("name"), name="suburb_lower_name_idx"),
            GinIndex(OpClass(Lower("name"), name="gin_trgm_ops"), name="suburb_lower_name_trgm"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["name", "state"], name="suburb_unique_name_state")
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.state}"
