"""Catalogue import and export (django-import-export), used from the admin."""

from django.contrib.gis.geos import GEOSException, GEOSGeometry, Point
from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets

from marketplace.errors import Invalid
from places.models import City

from .models import Service, Subcategory
from .services import service_attributes_clean, service_search_vectors_refresh


class PointWidget(widgets.Widget):
    """Points travel as "latitude,longitude", the order people read and type them in."""

    def clean(self, value, row=None, **kwargs) -> Point | None:
        if not value:
            return None
        text = str(value).strip()
        try:
            if text.upper().startswith(("SRID=", "POINT")):
                return GEOSGeometry(text, srid=4326)
            latitude, longitude = (float(part) for part in text.split(","))
        except (ValueError, GEOSException) as error:
            raise ValueError(f"{text!r} is not a point: write latitude,longitude") from error
        return Point(longitude, latitude, srid=4326)

    def render(self, value, obj=None, **kwargs) -> str:
        return f"{value.y:.6f},{value.x:.6f}" if value else ""


class ServiceResource(resources.ModelResource):
    subcategory = fields.Field(
        attribute="subcategory",
        column_name="subcategory",
        widget=widgets.ForeignKeyWidget(Subcategory, field="slug"),
    )
    city = fields.Field(
        attribute="city",
        column_name="city",
        widget=widgets.ForeignKeyWidget(City, field="slug"),
    )
    point = fields.Field(attribute="point", column_name="point", widget=PointWidget())

    class Meta:
        model = Service
        fields = [
            "id", "provider", "subcategory", "city", "title", "slug", "description",
            "price_type", "price", "duration_minutes", "point", "service_radius_km",
            "attributes", "status", "instant_book",
        ]  # fmt: skip
        clean_model_instances = True

    def before_save_instance(self, instance: Service, row, **kwargs) -> None:
        # The same rule as the portal: attributes must fit the subcategory's schema.
        try:
            instance.attributes = service_attributes_clean(
                subcategory=instance.subcategory, raw=instance.attributes or {}
            )
        except Invalid as error:
            # django-import-export shows a row's ValidationError next to the row.
            raise ValidationError({"attributes": error.messages}) from error

    def after_import(self, dataset, result, **kwargs) -> None:
        imported = [row.object_id for row in result.valid_rows() if row.object_id]
        if imported and not kwargs.get("dry_run"):
            service_search_vectors_refresh(service_ids=imported)
