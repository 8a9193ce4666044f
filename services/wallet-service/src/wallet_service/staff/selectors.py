"""Reads for staff: the review queue, frozen wallets, the suspense account, reconciliation, the audit log."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from wallet_service.chain.models import ReconciliationRun, Withdrawal
from wallet_service.ledger.chart import PlatformAccount
from wallet_service.ledger.models import Account, Transfer
from wallet_service.ledger.selectors import Balance, account_balance
from wallet_service.staff.models import StaffAction

#: What waits for a human: above the approval threshold, or held by the signer (frozen wallet).
REVIEW_STATUSES = (Withdrawal.Status.AWAITING_APPROVAL, Withdrawal.Status.ON_HOLD)


def withdrawals_for_review(*, status: str | None = None) -> QuerySet[Withdrawal]:
    """Withdrawals waiting for staff (``status``: one of :data:`REVIEW_STATUSES`, else both), oldest first."""
    statuses = [status] if status is not None else list(REVIEW_STATUSES)
    return (
        Withdrawal.objects.filter(status__in=statuses).select_related("chain_tx").order_by("created_at", "id")
    )


def frozen_wallets() -> QuerySet[Account]:
    """Users' wallets frozen for review (e.g. a reorged deposit already spent), in user id order."""
    return Account.objects.filter(kind="user_wallet", is_frozen=True).order_by("user_id")


def suspense_balance() -> Balance:
    """The suspense account's counters: its negative posted balance is what humans must recover."""
    return account_balance(account_id=PlatformAccount.SUSPENSE.account_id)


def suspense_entries() -> QuerySet[Transfer]:
    """Every transfer touching the suspense account, newest first."""
    suspense = PlatformAccount.SUSPENSE.account_id
    return Transfer.objects.filter(Q(debit_account_id=suspense) | Q(credit_account_id=suspense)).order_by(
        "-created_at", "-id"
    )


def reconciliation_latest() -> ReconciliationRun | None:
    """The most recent recorded reconciliation (``manage.py reconcile`` or the periodic task)."""
    return ReconciliationRun.objects.order_by("-created_at", "-id").first()


def staff_actions() -> QuerySet[StaffAction]:
    """The audit log, newest first."""
    return StaffAction.objects.order_by("-created_at", "-id")
