from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from . import views

# Each app's URLs are included by name, so this module (like all of marketplace) imports
# nothing domain-specific.

# Moderators sign in on the site's own sign-in page, under the same throttling and email
# verification as everyone (docs/operations.md); the admin's form would check passwords
# outside allauth's per-address limits.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", include("marketplace.api_urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("portal/", include("accounts.portal_urls")),
    path("portal/listings/", include("listings.portal_urls")),
    path("portal/bookings/", include("bookings.portal_urls")),
    path("portal/reviews/", include("reviews.portal_urls")),
    # Before bookings: /bookings/<id>/review/ is the reviews app's, /bookings/<id>/report/
    # the support app's, /bookings/<id>/pay/ the payments app's.
    path("", include("reviews.urls")),
    path("", include("support.urls")),
    path("", include("payments.urls")),
    path("bookings/", include("bookings.urls")),
    path("jobs/", include("jobs.urls")),
    path("portal/jobs/", include("jobs.portal_urls")),
    path("", include("listings.search_urls")),
    path("notifications/", include("notifications.urls")),
    path("messages/", include("chat.urls")),
    path("payments/webhooks/", include("payments.webhook_urls")),
    path("portal/earnings/", include("payments.portal_urls")),
]

if settings.DEBUG or not settings.AWS_STORAGE_BUCKET_NAME:
    # Uploaded files on local disk are served by the site itself; with S3 they come from the
    # bucket. A listing's photos are shown only to whoever may see the listing (listings'
    # media URLs come first), a message's or a review's photos never (only through their
    # apps' checked views); other files (avatars, the shared demo pictures) to anyone.
    media = settings.MEDIA_URL.strip("/")
    urlpatterns += [
        path(f"{media}/", include("listings.media_urls")),
        path(f"{media}/", include("chat.media_urls")),
        path(f"{media}/", include("reviews.media_urls")),
        path(f"{media}/", include("payments.media_urls")),
        path(f"{media}/", include("support.media_urls")),
        path(f"{media}/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}),
    ]

# Too many files or too much form data in one request: a page that says so (not Django's bare 400).
handler400 = "marketplace.views.bad_request"

# Last: /<category-or-subcategory>/ and /<slug>/<city>/ catch what nothing above claimed.
urlpatterns += [path("", include("listings.urls"))]
