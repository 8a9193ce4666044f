"""Every periodic job of wallet-service, run by Celery beat (``create_celery_app`` reads ``JOBS``).

The library adds its own (the outbox relay, the Idempotency-Key purge). Intervals are read from the
environment here and nowhere else: beat imports this module before Django is set up.
"""

from dbay_common.schedules import PeriodicJob
from dbay_common.settings import env_int

#: How often expired holds are voided (``wallet_service.ledger.tasks``). A sweep queued behind a
#: dead worker is useless once the next one is due, hence the expiry.
LEDGER_EXPIRY_SWEEP_INTERVAL_S = env_int("LEDGER_EXPIRY_SWEEP_INTERVAL_S", default=5)
#: How often ledger custody is reconciled against our outputs on chain (``wallet_service.chain.tasks``).
RECONCILE_INTERVAL_S = env_int("RECONCILE_INTERVAL_S", default=600)

JOBS = (
    PeriodicJob(
        task="wallet_service.ledger.void_expired",
        every_s=LEDGER_EXPIRY_SWEEP_INTERVAL_S,
        expires_s=LEDGER_EXPIRY_SWEEP_INTERVAL_S,
    ),
    PeriodicJob(task="wallet_service.chain.reconcile", every_s=RECONCILE_INTERVAL_S),
)
