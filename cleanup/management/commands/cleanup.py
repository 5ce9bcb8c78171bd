"""manage.py cleanup [--dry-run]: the daily clean-up by hand, printing what each rule removed."""

from django.core.management.base import BaseCommand

from cleanup.services import cleanup_run


class Command(BaseCommand):
    help = (
        "Delete expired sessions, unverified accounts, abandoned drafts (after a notice), old "
        "sign-in log lines and read notifications, and orphaned uploads; print what went."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would go; change nothing."
        )

    def handle(self, *args, dry_run: bool, **options) -> None:
        report = cleanup_run(dry_run=dry_run)
        if dry_run:
            self.stdout.write("Dry run: nothing was changed.")
        for line in report.lines():
            self.stdout.write(line)
