from django.apps import AppConfig


class MarketplaceConfig(AppConfig):
    name = "marketplace"

    def ready(self) -> None:
        # Sets Pillow's decompression-bomb limit (and its PNG text limit) for the whole process,
        # web and worker alike, before any upload can be opened.
        from . import images  # noqa: F401
