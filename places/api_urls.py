"""The places API (views in places/api.py)."""

urlpatterns: list = []
