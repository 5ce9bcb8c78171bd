"""manage.py reviews_recompute: recompute every rating figure from the published reviews and
report what had drifted (exit status 1 when anything had, 0 when all were right)."""

import sys

from django.core.management.base import BaseCommand

from reviews.aggregates import ratings_recompute_all


class Command(BaseCommand):
    help = "Recompute every listing's and provider's rating from published reviews; report drift."

    def handle(self, *args, **options) -> None:
        drift = ratings_recompute_all()
        for d in drift:
            self.stdout.write(
                f"{d.kind} {d.pk}: stored {d.stored[0]} ({d.stored[1]}), "
                f"computed {d.computed[0]} ({d.computed[1]})"
            )
        services = sum(1 for d in drift if d.kind == "service")
        providers = len(drift) - services
        if drift:
            self.stdout.write(
                f"Fixed {services} listing(s) and {providers} provider(s) that had drifted."
            )
            sys.exit(1)
        self.stdout.write("No drift: every rating matches its published reviews.")
