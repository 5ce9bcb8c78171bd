"""The provider portal's review pages, included at /portal/reviews/."""

from django.urls import path

from . import portal_views

urlpatterns = [
    path("", portal_views.portal_review_list, name="portal_review_list"),
    path("<int:pk>/reply/", portal_views.portal_review_reply, name="portal_review_reply"),
    path(
        "customers/<int:pk>/rate/", portal_views.portal_customer_rate, name="portal_customer_rate"
    ),
]
