"""Filled in by its app: see the module docstrings of the views it routes."""

urlpatterns = []
