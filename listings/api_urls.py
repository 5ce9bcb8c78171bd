"""The listings API (views in listings/api.py)."""

urlpatterns: list = []
