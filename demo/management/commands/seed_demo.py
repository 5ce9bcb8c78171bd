from django.core.management.base import BaseCommand, CommandParser

from demo.providers import PROVIDERS_PER_SCALE
from demo.seed import SeedReport, demo_seed


class Command(BaseCommand):
    help = (
        "Fill the database with demo data: the catalogue, 30 Australian cities and their suburbs, "
        "200 providers per --scale with about 14 listings each (photos included) and three demo "
        "accounts. Safe to run again: it only adds what is missing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help=(
                "Multiply the number of generated providers and listings (default 1: 200 "
                "providers, about 2,900 services; 50 gives about 144,000 services)."
            ),
        )
        parser.add_argument(
            "--providers-per-scale",
            type=int,
            default=PROVIDERS_PER_SCALE,
            help=(
                f"Generated providers per scale step (default {PROVIDERS_PER_SCALE}); fewer make "
                "a small demo database quickly, with the same first providers."
            ),
        )

    def handle(
        self, *args, scale: int, providers_per_scale: int, verbosity: int, **options
    ) -> None:
        for option, value in (("--scale", scale), ("--providers-per-scale", providers_per_scale)):
            if value < 1:
                self.stderr.write(f"{option} must be 1 or more.")
                raise SystemExit(2)
        report = demo_seed(
            scale=scale,
            providers_per_scale=providers_per_scale,
            stdout=self.stdout if verbosity > 1 else None,
        )
        self.stdout.write(format_report(report))


def format_report(report: SeedReport) -> str:
    created = sum(report.created.values())
    lines = [
        f"Demo data (scale {report.scale}): "
        + (f"{created} rows created." if created else "already complete, nothing created."),
        "",
        f"  Categories     {report.totals['categories']:>7}  (+{report.created['categories']})",
        f"  Subcategories  {report.totals['subcategories']:>7}  "
        f"(+{report.created['subcategories']})",
        f"  Cities         {report.totals['cities']:>7}  (+{report.created['cities']})",
        f"  Suburbs        {report.totals['suburbs']:>7}  (+{report.created['suburbs']})",
        f"  Providers      {report.totals['providers']:>7}  (+{report.created['providers']})  "
        + ", ".join(f"{count} {status}" for status, count in report.provider_statuses.items()),
        f"  Services       {report.totals['services']:>7}  (+{report.created['services']})  "
        + ", ".join(f"{count} {status}" for status, count in report.service_statuses.items()),
        f"  Photos         {report.totals['photos']:>7}  (+{report.created['photos']})",
        f"  Conversations  {report.totals['conversations']:>7}  "
        f"(+{report.created['conversations']}, {report.totals['messages']} messages)",
        f"  Reviews        {report.totals['reviews']:>7}  (+{report.created['reviews']}, "
        f"{report.created['past jobs']} past jobs, {report.created['customers']} customers, "
        f"{report.created['replies']} replies)",
        "",
        "Timings: "
        + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in report.timings.items()),
        "",
        "Demo accounts (development passwords only, never use them on a public site):",
    ]
    lines += [
        f"  {account.role:<9} {account.email:<24} password: {account.password}"
        for account in report.accounts
    ]
    return "\n".join(lines)
