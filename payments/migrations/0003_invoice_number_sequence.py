"""Invoice numbers come from a PostgreSQL sequence: unique and increasing under any number of
concurrent workers, with no max()+1 race (a rolled-back issue may leave a gap, which the
Australian Taxation Office allows: a tax invoice needs a unique number, not a gapless series)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("payments", "0002_ledger_balance_trigger")]

    operations = [
        migrations.RunSQL(
            "CREATE SEQUENCE payments_invoice_number_seq START 1",
            "DROP SEQUENCE payments_invoice_number_seq",
        )
    ]
