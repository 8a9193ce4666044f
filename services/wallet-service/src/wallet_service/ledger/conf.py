"""Configuration of the ledger, read from the environment once by ``settings.py``.

``globals().update(ledger_settings(beat_schedule=..., spectacular_settings=...))`` (the current
values of ``CELERY_BEAT_SCHEDULE`` and ``SPECTACULAR_SETTINGS``) adds:

* ``INTERNAL_JWT_AUDIENCE``: the ``aud`` of service tokens accepted by the internal API
  (development default ``dbay-internal``; required in production);
* ``LEDGER_EXPIRY_SWEEP_INTERVAL_S``: how often beat voids expired holds (default 5 s);
* ``CELERY_BEAT_SCHEDULE``: the given schedule plus the expiry sweep (merged, never replaced);
* ``SPECTACULAR_SETTINGS``: the given settings plus the names of the ledger's enums.

This module imports no models: settings import it before apps load.
"""

from __future__ import annotations

from typing import Any

from dbay_common.settings import env_int, env_str

EXPIRY_SWEEP_TASK_NAME = "wallet_service.ledger.void_expired"


def ledger_settings(
    *, beat_schedule: dict[str, Any] | None = None, spectacular_settings: dict[str, Any] | None = None
) -> dict[str, Any]:
    interval_s = env_int("LEDGER_EXPIRY_SWEEP_INTERVAL_S", default=5)
    spectacular = dict(spectacular_settings or {})
    spectacular["ENUM_NAME_OVERRIDES"] = {
        **spectacular.get("ENUM_NAME_OVERRIDES", {}),
        "WalletTransferStateEnum": "wallet_service.ledger.apis.TRANSFER_STATES",
        "WalletTransferKindEnum": "wallet_service.ledger.apis.TRANSFER_KINDS",
        "WalletTransferDirectionEnum": "wallet_service.ledger.apis.TRANSFER_DIRECTIONS",
        "WalletHoldReasonEnum": "wallet_service.ledger.apis.HOLD_REASONS",
        "WalletPlatformAccountEnum": "wallet_service.ledger.apis.INTERNAL_PLATFORM_CODES",
    }
    return {
        "SPECTACULAR_SETTINGS": spectacular,
        "INTERNAL_JWT_AUDIENCE": env_str("INTERNAL_JWT_AUDIENCE", dev_default="dbay-internal"),
        "LEDGER_EXPIRY_SWEEP_INTERVAL_S": interval_s,
        "CELERY_BEAT_SCHEDULE": {
            **(beat_schedule or {}),
            EXPIRY_SWEEP_TASK_NAME: {
                "task": EXPIRY_SWEEP_TASK_NAME,
                "schedule": float(interval_s),
                # A sweep queued behind a dead worker is useless once the next one is due.
                "options": {"expires": float(interval_s)},
            },
        },
    }
