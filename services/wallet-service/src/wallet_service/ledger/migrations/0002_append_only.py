"""The database, not only Python, keeps the ledger append-only.

* ``ledger_transfer``: any UPDATE or DELETE raises (SQLSTATE 23001, restrict_violation). A mistake
  is corrected by a new, reversing transfer.
* ``ledger_account``: rows are never deleted, and an account's identity (id, kind, code, owner,
  creation time) never changes; only its balance counters and its frozen flag do, and only through
  the ledger's service functions.

TRUNCATE is not covered by row triggers; the production database role must not hold the TRUNCATE
privilege on these tables (docs/wallet-architecture.md, "Invariants").
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger: % on % is refused: the ledger is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation',
              HINT = 'Correct a transfer with a new, reversing transfer.';
END
$$;

CREATE TRIGGER ledger_transfer_append_only
    BEFORE UPDATE OR DELETE ON ledger_transfer
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();

CREATE TRIGGER ledger_account_no_delete
    BEFORE DELETE ON ledger_account
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();

CREATE TRIGGER ledger_account_identity_fixed
    BEFORE UPDATE ON ledger_account
    FOR EACH ROW
    WHEN (OLD.id IS DISTINCT FROM NEW.id
          OR OLD.kind IS DISTINCT FROM NEW.kind
          OR OLD.code IS DISTINCT FROM NEW.code
          OR OLD.user_id IS DISTINCT FROM NEW.user_id
          OR OLD.debits_must_not_exceed_credits IS DISTINCT FROM NEW.debits_must_not_exceed_credits
          OR OLD.created_at IS DISTINCT FROM NEW.created_at)
    EXECUTE FUNCTION ledger_refuse_change();
"""

BACKWARD = """
DROP TRIGGER ledger_account_identity_fixed ON ledger_account;
DROP TRIGGER ledger_account_no_delete ON ledger_account;
DROP TRIGGER ledger_transfer_append_only ON ledger_transfer;
DROP FUNCTION ledger_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
