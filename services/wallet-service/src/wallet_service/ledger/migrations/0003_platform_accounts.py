"""The platform accounts (docs/wallet-architecture.md, "Account chart").

Ids are fixed: ``uuid5(LEDGER_NAMESPACE, "platform:<code>")``, written out here so this migration
never changes with the code (``wallet_service.ledger.chart`` derives the same ids; a test checks).
Custody, network fees and suspense are debited by design (custody for every deposit, network fees
for every withdrawal's fee, suspense for losses awaiting a human), so they may have a negative net
balance. The others only pass money on and carry the no-overdraft flag: the database refuses to pay
out of fee revenue, bid holds, order escrow or withdrawals in flight more than they received.
"""

from django.db import migrations

# code: (id, debits_must_not_exceed_credits)
PLATFORM_ACCOUNTS = {
    "custody": ("13bc5742-878a-5e37-9381-ba3abe74d06d", False),
    "fee_revenue": ("cfa6d78f-6e83-5124-917e-6cc9a98e2030", True),
    "network_fees": ("1bc6ccfc-f9e1-512a-9d32-4d2ef842467e", False),
    "bid_holds": ("74ae0660-38b3-5a28-a623-e178447ff741", True),
    "order_escrow": ("864bc875-3acf-5fc0-bc6a-216c007fb457", True),
    "withdrawals_in_flight": ("989dd5b8-4902-593b-a965-b7ab1f8d2b72", True),
    "suspense": ("1ab69b9b-bb1c-5bfc-8b11-40b388cf048a", False),
}

FORWARD = "\n".join(
    "INSERT INTO ledger_account (id, kind, code, user_id, debits_must_not_exceed_credits, is_frozen, "
    "frozen_reason, debits_posted, credits_posted, debits_pending, credits_pending, created_at) "
    f"VALUES ('{account_id}', 'platform', '{code}', NULL, {str(guarded).lower()}, false, '', 0, 0, 0, 0, now()) "
    "ON CONFLICT DO NOTHING;"
    for code, (account_id, guarded) in PLATFORM_ACCOUNTS.items()
)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_append_only")]

    # Not reversible: accounts are never deleted (migration 0002 refuses it).
    operations = [migrations.RunSQL(FORWARD, migrations.RunSQL.noop)]
