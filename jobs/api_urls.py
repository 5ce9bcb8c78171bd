"""The jobs API (views in jobs/api.py)."""

urlpatterns: list = []
