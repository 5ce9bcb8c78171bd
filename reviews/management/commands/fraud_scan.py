"""manage.py fraud_scan --since 7d: re-run the fraud rules over recent reviews and sign-ups."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from marketplace.params import parse_int
from reviews.fraud import fraud_scan
from reviews.models import FraudSignal

# A year at most: the rules look back FRAUD_LOOKBACK_DAYS from each review anyway.
MAX_DAYS = 366
UNITS = {"d": ("days", MAX_DAYS), "h": ("hours", MAX_DAYS * 24)}


def parse_since(text: str) -> timedelta:
    """'7d' or '36h' as a timedelta; anything else is a CommandError saying what is wanted."""
    unit = UNITS.get(text[-1:].lower())
    amount = parse_int(text[:-1], minimum=1, maximum=unit[1]) if unit else None
    if amount is None:
        raise CommandError(
            f"--since wants a number of days or hours such as 7d or 36h "
            f"(1 to {MAX_DAYS} days), not {text!r}."
        )
    return timedelta(**{unit[0]: amount})


class Command(BaseCommand):
    help = "Re-run the fraud rules over the reviews and sign-ups of a recent window."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--since", default="7d", help="How far back: 7d, 36h (default 7d).")

    def handle(self, *args, since: str, **options) -> None:
        report = fraud_scan(since=parse_since(since))
        self.stdout.write(
            f"Scanned {report.reviews_scanned} reviews and {report.sign_ups_scanned} sign-ups "
            f"since {report.since:%Y-%m-%d %H:%M} UTC."
        )
        for rule in FraudSignal.Rule:
            self.stdout.write(f"  {rule.label}: {report.raised.get(rule.value, 0)} new")
        held = ", ".join(str(pk) for pk in report.held) or "none"
        self.stdout.write(f"Held for a moderator: {len(report.held)} ({held}).")
