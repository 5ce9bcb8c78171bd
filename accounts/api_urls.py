"""The accounts API (views in accounts/api.py)."""

urlpatterns: list = []
