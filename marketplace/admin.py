from django import forms
from django.contrib import admin
from django.contrib.gis.db.models import PointField

from .page_cache import pages_changed


class PointAsTextMixin:
    """Edit points as text ("SRID=4326;POINT (lng lat)").

    GeoDjango's map widgets load OpenLayers from a CDN, which our content security policy
    (and sites without internet) refuse; a text field works everywhere.
    """

    formfield_overrides = {
        PointField: {
            "widget": forms.TextInput(attrs={"size": 48}),
            "help_text": "Longitude first, e.g. SRID=4326;POINT (151.2073 -33.8679)",
        }
    }


class PagesChangedMixin:
    """For the admins of what the cached catalogue pages show: every save, deletion, bulk
    action and import renders those pages afresh once it commits (marketplace/page_cache.py).
    Services the admin calls announce their own changes; this covers the admin's direct
    writes."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        pages_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        pages_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        pages_changed()

    def response_action(self, request, queryset):
        response = super().response_action(request, queryset)
        pages_changed()
        return response

    def process_import(self, request, **kwargs):
        # django-import-export's admins: the confirmed import writes the rows.
        response = super().process_import(request, **kwargs)
        pages_changed()
        return response


admin.site.site_header = "Nearhand moderation"
admin.site.site_title = "Nearhand admin"
