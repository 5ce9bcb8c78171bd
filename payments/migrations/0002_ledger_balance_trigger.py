"""The ledger's last guarantee: at commit, the entries of every transaction touched sum to zero.

A deferred constraint trigger runs once per changed entry when the transaction commits (after
all of a ledger transaction's entries were written), so an unbalanced write fails the commit
whatever code made it.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION payments_ledger_check_balance() RETURNS trigger AS $$
DECLARE
    unbalanced bigint;
BEGIN
    SELECT COALESCE(SUM(amount_cents), 0) INTO unbalanced
    FROM payments_ledgerentry
    WHERE transaction_id = COALESCE(NEW.transaction_id, OLD.transaction_id);
    IF unbalanced <> 0 THEN
        RAISE EXCEPTION 'ledger transaction % does not balance (off by % cents)',
            COALESCE(NEW.transaction_id, OLD.transaction_id), unbalanced
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER payments_ledger_balanced
    AFTER INSERT OR UPDATE OR DELETE ON payments_ledgerentry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION payments_ledger_check_balance();
"""

DROP = """
DROP TRIGGER IF EXISTS payments_ledger_balanced ON payments_ledgerentry;
DROP FUNCTION IF EXISTS payments_ledger_check_balance();
"""


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]

    operations = [migrations.RunSQL(CREATE, DROP)]
