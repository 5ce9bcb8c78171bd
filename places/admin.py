from django.contrib import admin
from import_export.admin import ImportExportModelAdmin

from marketplace.admin import PagesChangedMixin, PointAsTextMixin

from .models import City, Suburb


@admin.register(City)
class CityAdmin(PagesChangedMixin, PointAsTextMixin, ImportExportModelAdmin):
    list_display = ["name", "state", "timezone", "population"]
    list_filter = ["state", "timezone"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Suburb)
class SuburbAdmin(PointAsTextMixin, admin.ModelAdmin):
    list_display = ["name", "state", "city", "population"]
    list_filter = ["state"]
    list_select_related = ["city"]
    search_fields = ["name"]
