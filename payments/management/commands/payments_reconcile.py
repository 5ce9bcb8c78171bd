from django.core.management.base import BaseCommand, CommandError

from payments.money import dollars
from payments.services.reconcile import ReconcileReport, payments_reconcile


class Command(BaseCommand):
    help = (
        "Compare the ledger with Stripe: each payment's charge net of refunds against the "
        "ledger's Stripe balance for it, and every ledger transaction and the platform total "
        "against zero. Prints the differences; exits 1 when there is any, 0 when all agree."
    )

    def handle(self, *args, **options) -> None:
        report = payments_reconcile()
        self._print_payments(report)
        for transaction_id, total in report.unbalanced.items():
            self.stdout.write(
                f"Ledger transaction {transaction_id} does not sum to zero: {dollars(total)}"
            )
        if report.platform_total:
            self.stdout.write(
                f"The platform's ledger does not sum to zero: {dollars(report.platform_total)}"
            )
        if not report.clean:
            raise CommandError(
                f"{len(report.payments)} payment(s) differ from Stripe, "
                f"{len(report.unbalanced)} ledger transaction(s) unbalanced.",
                returncode=1,
            )
        self.stdout.write(f"{report.checked} payment(s) checked: the ledger agrees with Stripe.")

    def _print_payments(self, report: ReconcileReport) -> None:
        if not report.payments:
            return
        row = "{:>8}  {:>8}  {:<30}  {:>12}  {:>12}  {}"
        self.stdout.write(row.format("payment", "booking", "intent", "ledger", "stripe", "problem"))
        for difference in report.payments:
            stripe = "?" if difference.stripe_cents is None else dollars(difference.stripe_cents)
            self.stdout.write(
                row.format(
                    difference.payment_id,
                    difference.booking_id,
                    difference.payment_intent_id or "-",
                    dollars(difference.ledger_cents),
                    stripe,
                    difference.problem,
                )
            )
