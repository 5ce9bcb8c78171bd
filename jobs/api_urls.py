"""The jobs and quotes API under /api/ (marketplace.api_urls includes it)."""

from django.urls import path

from . import api

urlpatterns = [
    path("jobs/", api.JobListView.as_view(), name="api_job_list"),
    path("jobs/<int:pk>/", api.JobDetailView.as_view(), name="api_job_detail"),
    path("jobs/<int:pk>/withdraw/", api.JobWithdrawView.as_view(), name="api_job_withdraw"),
    path("jobs/<int:pk>/quotes/", api.JobQuotesView.as_view(), name="api_job_quotes"),
    path("quotes/", api.ProviderQuotesView.as_view(), name="api_quote_list"),
    path("quotes/<int:pk>/accept/", api.QuoteAcceptView.as_view(), name="api_quote_accept"),
    path(
        "quotes/<int:pk>/ask-new-time/",
        api.QuoteAskNewTimeView.as_view(),
        name="api_quote_ask_new_time",
    ),
    path("quotes/<int:pk>/revise/", api.QuoteReviseView.as_view(), name="api_quote_revise"),
    path("quotes/<int:pk>/withdraw/", api.QuoteWithdrawView.as_view(), name="api_quote_withdraw"),
]
