"""The chat API (views in chat/api.py)."""

urlpatterns: list = []
