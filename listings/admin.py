from django.contrib import admin
from import_export.admin import ImportExportModelAdmin

from marketplace.admin import PointAsTextMixin

from .models import Category, City, Subcategory


class SubcategoryInline(admin.TabularInline):
    model = Subcategory
    fields = ["name", "slug", "position"]
    extra = 0
    show_change_link = True


@admin.register(Category)
class CategoryAdmin(ImportExportModelAdmin):
    list_display = ["name", "slug", "position"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SubcategoryInline]


@admin.register(Subcategory)
class SubcategoryAdmin(ImportExportModelAdmin):
    list_display = ["name", "slug", "category", "position"]
    list_filter = ["category"]
    list_select_related = ["category"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(City)
class CityAdmin(PointAsTextMixin, ImportExportModelAdmin):
    list_display = ["name", "state", "timezone", "population"]
    list_filter = ["state", "timezone"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
