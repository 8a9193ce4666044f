"""Routes of the staff operations API under /api/v1/wallet/."""

from django.urls import path

from wallet_service.staff import apis

app_name = "staff"

urlpatterns = [
    path(
        "withdrawals/<uuid:withdrawal_id>/approve",
        apis.WithdrawalApproveApi.as_view(),
        name="withdrawal-approve",
    ),
    path(
        "withdrawals/<uuid:withdrawal_id>/reject",
        apis.WithdrawalRejectApi.as_view(),
        name="withdrawal-reject",
    ),
    path("staff/withdrawals", apis.StaffWithdrawalListApi.as_view(), name="withdrawals"),
    path("staff/frozen-accounts", apis.StaffFrozenAccountListApi.as_view(), name="frozen-accounts"),
    path(
        "staff/accounts/<uuid:user_id>/unfreeze",
        apis.StaffAccountUnfreezeApi.as_view(),
        name="account-unfreeze",
    ),
    path("staff/suspense", apis.StaffSuspenseApi.as_view(), name="suspense"),
    path("staff/reconciliation", apis.StaffReconciliationApi.as_view(), name="reconciliation"),
    path("staff/audit-log", apis.StaffAuditLogApi.as_view(), name="audit-log"),
]
