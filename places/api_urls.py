"""The places API (views in places/api.py)."""

from django.urls import path

from . import api

urlpatterns = [
    path("cities/", api.CityListView.as_view(), name="api_city_list"),
]
