from django import forms
from django.contrib import admin
from django.contrib.gis.db.models import PointField


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


admin.site.site_header = "Nearhand moderation"
admin.site.site_title = "Nearhand admin"
