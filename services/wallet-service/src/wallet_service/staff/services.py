"""Staff actions: each one does its work and writes its audit record in one transaction.

Every function is keyword-only and atomic; ``staff_id`` is the verified token's subject (the views
check the ``staff`` role on the server). Nothing here is reachable without that role.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction

from dbay_common.errors import NotFound
from wallet_service.chain import services as chain_services
from wallet_service.chain.models import Withdrawal
from wallet_service.ledger import services as ledger
from wallet_service.ledger.chart import user_wallet_account_id
from wallet_service.ledger.models import Account
from wallet_service.staff.models import StaffAction


def _record(
    *, staff_id: uuid.UUID, action: str, target_type: str, target_id: str, reason: str, detail: dict[str, Any]
) -> StaffAction:
    return StaffAction.objects.create(
        staff_id=staff_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        reason=reason,
        detail=detail,
    )


@transaction.atomic
def staff_withdrawal_approve(*, withdrawal_id: uuid.UUID, staff_id: uuid.UUID, reason: str) -> Withdrawal:
    """Approve a withdrawal awaiting approval or on hold (it joins the signer's queue); audited.

    Locks the withdrawal row (``chain.services.withdrawal_approve``). 404 / 409 as that function.
    """
    before = Withdrawal.objects.filter(id=withdrawal_id).values_list("status", flat=True).first()
    withdrawal = chain_services.withdrawal_approve(
        withdrawal_id=withdrawal_id, staff_id=staff_id, note=reason
    )
    _record(
        staff_id=staff_id,
        action=StaffAction.Action.WITHDRAWAL_APPROVE,
        target_type="withdrawal",
        target_id=str(withdrawal.id),
        reason=reason,
        detail={
            "status_before": before,
            "status_after": withdrawal.status,
            "user_id": str(withdrawal.user_id),
        },
    )
    return withdrawal


@transaction.atomic
def staff_withdrawal_reject(*, withdrawal_id: uuid.UUID, staff_id: uuid.UUID, reason: str) -> Withdrawal:
    """Reject a withdrawal awaiting approval or on hold (its hold is voided); audited.

    Locks the withdrawal row, then the ledger accounts of the void. Publishes ``withdrawal.failed``.
    """
    before = Withdrawal.objects.filter(id=withdrawal_id).values_list("status", flat=True).first()
    withdrawal = chain_services.withdrawal_reject(withdrawal_id=withdrawal_id, staff_id=staff_id, note=reason)
    _record(
        staff_id=staff_id,
        action=StaffAction.Action.WITHDRAWAL_REJECT,
        target_type="withdrawal",
        target_id=str(withdrawal.id),
        reason=reason,
        detail={
            "status_before": before,
            "status_after": withdrawal.status,
            "user_id": str(withdrawal.user_id),
        },
    )
    return withdrawal


@transaction.atomic
def staff_account_unfreeze(*, user_id: uuid.UUID, staff_id: uuid.UUID, reason: str) -> Account:
    """Lift the freeze of a user's wallet after review; audited (with the freeze reason it replaced).

    Locks the account row (one UPDATE). 404 ``account_not_found`` if the user has no wallet.
    """
    account_id = user_wallet_account_id(user_id)
    account = Account.objects.select_for_update(no_key=True).filter(id=account_id).first()
    if account is None:
        raise NotFound("This user has no wallet.", code="account_not_found")
    frozen_reason, was_frozen = account.frozen_reason, account.is_frozen
    account = ledger.account_unfreeze(account_id=account_id)
    _record(
        staff_id=staff_id,
        action=StaffAction.Action.ACCOUNT_UNFREEZE,
        target_type="account",
        target_id=str(user_id),
        reason=reason,
        detail={"was_frozen": was_frozen, "frozen_reason": frozen_reason},
    )
    return account
