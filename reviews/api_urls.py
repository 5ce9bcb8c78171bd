"""The reviews API (views in reviews/api.py)."""

urlpatterns: list = []
