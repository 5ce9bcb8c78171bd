from django.apps import AppConfig


class ListingsConfig(AppConfig):
    name = "listings"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (a suspended provider's counts are forgotten)
