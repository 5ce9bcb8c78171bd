"""/sitemap.xml: category x city pages with listings, public listings, providers with listings.

The index at /sitemap.xml names one sitemap per section; the framework paginates each section
(?p=2, 50,000 URLs a page). URLs use the canonical origin, SITE_URL.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from accounts.models import ProviderProfile

from .models import Service
from .selectors import sitemap_category_cities, sitemap_providers, sitemap_services


class SiteUrlSitemap(Sitemap):
    """Builds URLs on SITE_URL. (The index view names each section on the sites framework's
    domain, which the marketplace migration sets from SITE_URL.)"""

    @property
    def protocol(self) -> str:  # the index view reads this attribute directly
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site=None) -> str:
        return urlsplit(settings.SITE_URL).netloc


class CategoryCitySitemap(SiteUrlSitemap):
    changefreq = "daily"
    priority = 0.8

    def items(self) -> list[tuple[str, str]]:
        if not hasattr(self, "_pairs"):
            self._pairs = sitemap_category_cities()
        return self._pairs

    def location(self, item: tuple[str, str]) -> str:
        slug, city_slug = item
        return reverse("category_city", kwargs={"slug": slug, "city_slug": city_slug})


class ServiceSitemap(SiteUrlSitemap):
    changefreq = "weekly"
    priority = 0.6

    def items(self):
        return sitemap_services()

    def lastmod(self, service: Service):
        return service.updated_at

    def get_latest_lastmod(self):
        # One aggregate instead of reading every listing (the framework's default).
        return self.items().order_by().aggregate(latest=Max("updated_at"))["latest"]


class ProviderSitemap(SiteUrlSitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return sitemap_providers()

    def location(self, provider: ProviderProfile) -> str:
        return reverse("provider_public", kwargs={"slug": provider.slug})

    def lastmod(self, provider: ProviderProfile):
        return provider.updated_at

    def get_latest_lastmod(self):
        return self.items().order_by().aggregate(latest=Max("updated_at"))["latest"]


SITEMAPS = {
    "categories": CategoryCitySitemap,
    "services": ServiceSitemap,
    "providers": ProviderSitemap,
}
