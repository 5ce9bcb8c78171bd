"""Public catalogue URLs, included last at the root: `<slug>/` and `<slug>/<city_slug>/` catch
whatever no other app claimed, so every fixed prefix comes first."""

from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from marketplace.replicas import reads_from_replica

from . import views
from .sitemaps import SITEMAPS

urlpatterns = [
    path("", views.home, name="home"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path(
        "sitemap.xml",
        reads_from_replica(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap_index",
    ),
    path(
        "sitemap-<section>.xml",
        reads_from_replica(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
    path("services/<int:pk>-<slug:slug>/", views.service_detail, name="service_detail"),
    path("pros/<slug:slug>/", views.provider_public, name="provider_public"),
    path("<slug:slug>/", views.category, name="category"),
    path("<slug:slug>/<slug:city_slug>/", views.category_city, name="category_city"),
]
