"""The support API (views in support/api.py)."""

from django.urls import path

from . import api

urlpatterns = [
    path("support/cases/", api.CaseListView.as_view(), name="api_support_cases"),
    path("support/cases/<int:pk>/", api.CaseDetailView.as_view(), name="api_support_case"),
    path(
        "support/cases/<int:pk>/messages/",
        api.CaseMessageListView.as_view(),
        name="api_support_case_messages",
    ),
]
