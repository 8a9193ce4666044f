"""The staff operations API under /api/v1/wallet/ (role ``staff``, checked on the server).

Thin views: parse, call one service or selector, render. Every action goes through
:mod:`wallet_service.staff.services`, which records it in the audit log in the same transaction.
"""

from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dbay_common.drf import CursorPagination, KoinuField, request_user_id, roles_required, session_now
from dbay_common.drf.schema import error_responses, page_parameters
from dbay_common.errors import NotFound
from dbay_common.money import Koinu
from wallet_service.chain import selectors as chain_selectors
from wallet_service.chain.apis.public import WithdrawalOutput
from wallet_service.chain.models import Withdrawal
from wallet_service.ledger.selectors import account_label
from wallet_service.staff import selectors, services

STAFF = (roles_required("staff"),)
PAGE_PARAMETERS = page_parameters()
LIST_ERRORS = error_responses(
    400, 401, 403, descriptions={400: "Invalid cursor or limit.", 403: "The `staff` role is required."}
)


def _withdrawal_document(withdrawal: Withdrawal) -> dict[str, Any]:
    tip = chain_selectors.chain_tip()
    state = chain_selectors.withdrawal_state(withdrawal, tip_height=tip.height if tip else None)
    return WithdrawalOutput(state).data


# -- the review queue ------------------------------------------------------------------------------------


class StaffWithdrawalOutput(WithdrawalOutput):
    user_id = serializers.CharField()
    review_note = serializers.CharField()


class StaffWithdrawalListApi(APIView):
    """Withdrawals waiting for staff: above the approval threshold, or held because the wallet is frozen."""

    permission_classes = STAFF
    pagination_class = CursorPagination
    cursor_ordering = ("created_at", "id")
    cursor_field = "id"

    class InputSerializer(serializers.Serializer[dict[str, Any]]):
        status = serializers.ChoiceField(choices=list(selectors.REVIEW_STATUSES), required=False)

    @extend_schema(
        operation_id="wallet_staff_withdrawals_list",
        summary="Withdrawals waiting for review (staff)",
        description="`awaiting_approval` (above the threshold) and `on_hold` (the signer found the wallet "
        "frozen), oldest first. Approve or reject each with `withdrawals/{id}/approve` / `reject`.",
        parameters=[
            OpenApiParameter("status", str, enum=list(selectors.REVIEW_STATUSES), description="only these"),
            *PAGE_PARAMETERS,
        ],
        responses={200: StaffWithdrawalOutput(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            selectors.withdrawals_for_review(status=data.validated_data.get("status")), request, view=self
        )
        return paginator.get_paginated_response(
            [
                {**_withdrawal_document(w), "user_id": str(w.user_id), "review_note": w.review_note}
                for w in page
            ]
        )


class WithdrawalReviewInput(serializers.Serializer[dict[str, Any]]):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=500, default="", help_text="older name of `reason`"
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return {"reason": (attrs.get("reason") or attrs.get("note") or "").strip()}


class RejectInput(WithdrawalReviewInput):
    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        if not attrs["reason"]:
            raise serializers.ValidationError(
                {"reason": "Say why the withdrawal is rejected."}, code="required"
            )
        return attrs


REVIEW_ERRORS = error_responses(
    400,
    401,
    403,
    404,
    409,
    descriptions={
        403: "The `staff` role is required.",
        404: "No such withdrawal.",
        409: "The withdrawal is not awaiting approval or on hold (already reviewed, say).",
    },
)


class WithdrawalApproveApi(APIView):
    """Staff: approve a withdrawal awaiting approval or on hold (it joins the signer's queue); audited."""

    permission_classes = STAFF

    @extend_schema(
        operation_id="wallet_withdrawal_approve",
        summary="Approve a withdrawal (staff)",
        request=WithdrawalReviewInput,
        responses={200: WithdrawalOutput, **REVIEW_ERRORS},
    )
    def post(self, request: Request, withdrawal_id: uuid.UUID) -> Response:
        staff_id = request_user_id(request)
        session_now(request)  # a staff action moves money or unfreezes it: the session must be live now
        data = WithdrawalReviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        withdrawal = services.staff_withdrawal_approve(
            withdrawal_id=withdrawal_id,
            staff_id=staff_id,
            reason=data.validated_data["reason"],
        )
        return Response(_withdrawal_document(withdrawal))


class WithdrawalRejectApi(APIView):
    """Staff: reject a withdrawal awaiting approval or on hold, with a reason (hold voided); audited."""

    permission_classes = STAFF

    @extend_schema(
        operation_id="wallet_withdrawal_reject",
        summary="Reject a withdrawal (staff)",
        request=RejectInput,
        responses={200: WithdrawalOutput, **REVIEW_ERRORS},
    )
    def post(self, request: Request, withdrawal_id: uuid.UUID) -> Response:
        staff_id = request_user_id(request)
        session_now(request)  # a staff action moves money or unfreezes it: the session must be live now
        data = RejectInput(data=request.data)
        data.is_valid(raise_exception=True)
        withdrawal = services.staff_withdrawal_reject(
            withdrawal_id=withdrawal_id,
            staff_id=staff_id,
            reason=data.validated_data["reason"],
        )
        return Response(_withdrawal_document(withdrawal))


# -- frozen wallets ----------------------------------------------------------------------------------------


class FrozenWalletOutput(serializers.Serializer[Any]):
    user_id = serializers.CharField()
    frozen_reason = serializers.CharField()
    available_koinu = KoinuField()
    held_koinu = KoinuField()
    posted_koinu = KoinuField()


def _frozen_document(account: Any) -> dict[str, Any]:
    posted = account.credits_posted - account.debits_posted
    return {
        "user_id": str(account.user_id),
        "frozen_reason": account.frozen_reason,
        "available_koinu": Koinu(max(0, posted - account.debits_pending)),
        "held_koinu": Koinu(account.debits_pending),
        "posted_koinu": Koinu(posted),
    }


class StaffFrozenAccountListApi(APIView):
    """Users' wallets frozen for review."""

    permission_classes = STAFF
    pagination_class = CursorPagination
    # Paged by the user id each row shows (one wallet per user), so `starting_after=<user_id>`.
    cursor_ordering = ("user_id",)
    cursor_field = "user_id"

    @extend_schema(
        operation_id="wallet_staff_frozen_accounts_list",
        summary="Frozen wallets (staff)",
        parameters=PAGE_PARAMETERS,
        responses={200: FrozenWalletOutput(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.frozen_wallets(), request, view=self)
        return paginator.get_paginated_response([FrozenWalletOutput(_frozen_document(a)).data for a in page])


class UnfreezeInput(serializers.Serializer[dict[str, Any]]):
    reason = serializers.CharField(max_length=500)


class StaffAccountUnfreezeApi(APIView):
    """Lift the freeze of a user's wallet after review, with a reason; audited."""

    permission_classes = STAFF

    @extend_schema(
        operation_id="wallet_staff_account_unfreeze",
        summary="Unfreeze a wallet (staff)",
        request=UnfreezeInput,
        responses={
            200: FrozenWalletOutput,
            **error_responses(
                400,
                401,
                403,
                404,
                descriptions={403: "The `staff` role is required.", 404: "The user has no wallet."},
            ),
        },
    )
    def post(self, request: Request, user_id: uuid.UUID) -> Response:
        staff_id = request_user_id(request)
        session_now(request)  # a staff action moves money or unfreezes it: the session must be live now
        data = UnfreezeInput(data=request.data)
        data.is_valid(raise_exception=True)
        account = services.staff_account_unfreeze(
            user_id=user_id, staff_id=staff_id, reason=data.validated_data["reason"]
        )
        return Response(FrozenWalletOutput(_frozen_document(account)).data)


# -- suspense ----------------------------------------------------------------------------------------------


class SuspenseEntryOutput(serializers.Serializer[Any]):
    id = serializers.CharField()
    kind = serializers.CharField()
    direction = serializers.ChoiceField(choices=["in", "out"], help_text="in: credited to suspense")
    amount_koinu = KoinuField()
    reason = serializers.CharField()
    reference = serializers.DictField()
    counterparty = serializers.CharField()
    created_at = serializers.DateTimeField()


class SuspenseOutput(serializers.Serializer[Any]):
    posted_koinu = serializers.CharField(
        help_text="credits minus debits posted; negative: owed to the platform"
    )
    debits_posted_koinu = KoinuField()
    credits_posted_koinu = KoinuField()
    entries = SuspenseEntryOutput(many=True)
    has_more = serializers.BooleanField()


class StaffSuspenseApi(APIView):
    """The suspense account: its balance and its transfers, newest first (what a human must sort out)."""

    permission_classes = STAFF
    pagination_class = CursorPagination
    cursor_ordering = ("-created_at", "-id")
    cursor_field = "id"

    @extend_schema(
        operation_id="wallet_staff_suspense",
        summary="Suspense account (staff)",
        parameters=PAGE_PARAMETERS,
        responses={200: SuspenseOutput, **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.suspense_entries(), request, view=self)
        balance = selectors.suspense_balance()
        suspense = balance.account_id
        entries = [
            {
                "id": str(t.id),
                "kind": t.kind,
                "direction": "in" if t.credit_account_id == suspense else "out",
                "amount_koinu": Koinu(t.amount_koinu),
                "reason": t.reason,
                "reference": t.reference,
                "counterparty": account_label(
                    t.debit_account_id if t.credit_account_id == suspense else t.credit_account_id
                ),
                "created_at": t.created_at,
            }
            for t in page
        ]
        return Response(
            SuspenseOutput(
                {
                    "posted_koinu": str(balance.posted),
                    "debits_posted_koinu": Koinu(balance.debits_posted),
                    "credits_posted_koinu": Koinu(balance.credits_posted),
                    "entries": entries,
                    "has_more": paginator.has_more,
                }
            ).data
        )


# -- reconciliation ----------------------------------------------------------------------------------------


class ReconciliationOutput(serializers.Serializer[Any]):
    created_at = serializers.DateTimeField()
    is_balanced = serializers.BooleanField()
    drift_koinu = serializers.CharField(allow_null=True, help_text="signed koinu; null if it could not run")
    report = serializers.DictField()


class StaffReconciliationApi(APIView):
    """The latest reconciliation of ledger custody against the chain."""

    permission_classes = STAFF

    @extend_schema(
        operation_id="wallet_staff_reconciliation_latest",
        summary="Latest reconciliation (staff)",
        responses={
            200: ReconciliationOutput,
            **error_responses(
                401,
                403,
                404,
                descriptions={403: "The `staff` role is required.", 404: "No reconciliation has run yet."},
            ),
        },
    )
    def get(self, request: Request) -> Response:
        run = selectors.reconciliation_latest()
        if run is None:
            raise NotFound("No reconciliation has run yet.", code="reconciliation_not_found")
        return Response(
            ReconciliationOutput(
                {
                    "created_at": run.created_at,
                    "is_balanced": run.is_balanced,
                    "drift_koinu": None if run.drift_koinu is None else str(run.drift_koinu),
                    "report": run.report,
                }
            ).data
        )


# -- the audit log -----------------------------------------------------------------------------------------


class StaffActionOutput(serializers.Serializer[Any]):
    id = serializers.CharField()
    staff_id = serializers.CharField()
    action = serializers.CharField()
    target_type = serializers.CharField()
    target_id = serializers.CharField()
    reason = serializers.CharField()
    detail = serializers.DictField()
    created_at = serializers.DateTimeField()


class StaffAuditLogApi(APIView):
    """Every staff action, newest first (read-only: the log is append-only)."""

    permission_classes = STAFF
    pagination_class = CursorPagination
    cursor_ordering = ("-created_at", "-id")
    cursor_field = "id"

    @extend_schema(
        operation_id="wallet_staff_audit_log",
        summary="Staff audit log (staff)",
        parameters=PAGE_PARAMETERS,
        responses={200: StaffActionOutput(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.staff_actions(), request, view=self)
        return paginator.get_paginated_response([StaffActionOutput(action).data for action in page])
