"""Demo data for development and demos: `python manage.py seed_demo [--scale N]`."""

from .seed import SeedReport, demo_seed

__all__ = ["SeedReport", "demo_seed"]
