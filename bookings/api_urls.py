"""The bookings API (views in bookings/api.py)."""

urlpatterns: list = []
