"""The API's URLs under /api/: the schema, its Swagger UI, and each app's endpoints (included
by name, as the root URLconf does, so marketplace imports no app)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # The split view serves its JavaScript as a file: the CSP allows no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    path("", include("accounts.api_urls")),
    path("", include("notifications.api_urls")),
    path("", include("places.api_urls")),
    path("", include("listings.api_urls")),
    path("", include("bookings.api_urls")),
    path("", include("jobs.api_urls")),
    path("", include("reviews.api_urls")),
    path("", include("chat.api_urls")),
    path("", include("payments.api_urls")),
    path("", include("payments.api_earnings_urls")),
    path("", include("support.api_urls")),
]
