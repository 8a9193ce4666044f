"""Writes of the ledger: `<entity>_<action>` functions, keyword-only and atomic.

Multi-statement functions are ``@transaction.atomic``. ``transfer_create``, ``transfer_post_pending``
and ``transfer_void_pending`` are a single statement: called outside a transaction, that statement
is its own transaction (no BEGIN/COMMIT round trips, account locks held shorter); inside one, they
take a savepoint like ``@transaction.atomic`` (see ``_apply.apply_or_replay``).

How a transfer is applied (docs/wallet-architecture.md, "Locking and round trips"):

* One SQL statement per transfer. It locks the accounts the transfer touches with
  ``SELECT ... ORDER BY id FOR NO KEY UPDATE`` (the fixed lock order that makes deadlocks between
  transfers impossible), decides on the locked, current balances (frozen? enough funds?), inserts the
  transfer with ``ON CONFLICT DO NOTHING`` and updates the four counters of both accounts only if
  the insert happened. There is no read-decide-write gap: the decision is made on rows the statement
  holds locked, and the CHECK constraints of ``ledger_account`` refuse an overdraft even if the
  decision were wrong.
* Nothing inserted means the transfer was refused or its id exists; only then does Python look
  for the reason (reads only), so the happy path is one round trip.
* A linked group (several transfers, all or none) first locks every account of the group in one
  ordered statement, then applies its transfers one by one inside a savepoint.

Transfer ids are chosen by callers and are idempotency keys: the same id with the same contents
returns the recorded transfer and changes nothing; with different contents it raises
:class:`~wallet_service.ledger.errors.TransferConflict`. Refusals raise an
:class:`~dbay_common.errors.ApiError` subclass from :mod:`wallet_service.ledger.errors` and leave
no trace (no transfer row, no balance change). No function here emits events; the chain app
publishes deposit and withdrawal events in the same transactions as its calls.

The package's modules follow its sections: ``accounts`` (wallets, freezing), ``transfers`` (single
and two-phase), ``linked`` (groups), ``reversals`` (corrections), ``sweep`` (expired holds) and
``internal`` (what other services ask over the internal API); ``_statements``, ``_prepare`` and
``_apply`` are how one transfer is validated and applied. Import the functions from here::

    from wallet_service.ledger import services
    services.transfer_create(...)
"""

from wallet_service.ledger.chart import EXPIRED_REASON
from wallet_service.ledger.services._prepare import TransferSpec
from wallet_service.ledger.services._statements import MAX_TIMEOUT_S
from wallet_service.ledger.services.accounts import (
    account_freeze,
    account_platform,
    account_unfreeze,
    account_user_wallet_get_or_create,
)
from wallet_service.ledger.services.internal import hold_create, hold_post, hold_void, service_transfer_create
from wallet_service.ledger.services.linked import transfers_create_linked
from wallet_service.ledger.services.reversals import transfer_reverse
from wallet_service.ledger.services.sweep import transfers_void_expired
from wallet_service.ledger.services.transfers import (
    transfer_create,
    transfer_pending_replace,
    transfer_post_pending,
    transfer_void_pending,
)

__all__ = [
    "EXPIRED_REASON",
    "MAX_TIMEOUT_S",
    "TransferSpec",
    "account_freeze",
    "account_platform",
    "account_unfreeze",
    "account_user_wallet_get_or_create",
    "hold_create",
    "hold_post",
    "hold_void",
    "service_transfer_create",
    "transfer_create",
    "transfer_pending_replace",
    "transfer_post_pending",
    "transfer_reverse",
    "transfer_void_pending",
    "transfers_create_linked",
    "transfers_void_expired",
]
