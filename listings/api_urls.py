"""The listings API (views in listings/api.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("services", api.ServiceViewSet, basename="api_service")

urlpatterns = [
    path("categories/", api.CategoryListView.as_view(), name="api_category_list"),
    *router.urls,
]
