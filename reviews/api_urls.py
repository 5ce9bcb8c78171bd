"""The reviews API (views in reviews/api.py)."""

from django.urls import path

from . import api

urlpatterns = [
    path("reviews/", api.ReviewCreateView.as_view(), name="api_review_create"),
    path("reviews/<int:pk>/", api.ReviewDetailView.as_view(), name="api_review_detail"),
    path("reviews/<int:pk>/reply/", api.ReviewReplyView.as_view(), name="api_review_reply"),
    path("reviews/<int:pk>/report/", api.ReviewReportView.as_view(), name="api_review_report"),
    path(
        "services/<int:pk>/reviews/",
        api.ServiceReviewListView.as_view(),
        name="api_service_reviews",
    ),
    path(
        "providers/<slug:slug>/reviews/",
        api.ProviderReviewListView.as_view(),
        name="api_provider_reviews",
    ),
]
