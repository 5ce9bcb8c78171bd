"""The notifications API (views in notifications/api.py)."""

urlpatterns: list = []
