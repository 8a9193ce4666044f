from django.urls import path

from user_service.accounts.apis import me, passwords, public, registration, sign_in, staff, two_factor

app_name = "accounts"

urlpatterns = [
    path("auth/register", registration.RegisterApi.as_view(), name="register"),
    path("auth/verify-email", registration.VerifyEmailApi.as_view(), name="verify-email"),
    path(
        "auth/resend-verification",
        registration.ResendVerificationApi.as_view(),
        name="resend-verification",
    ),
    path("auth/login", sign_in.LoginApi.as_view(), name="login"),
    path("auth/login/2fa", sign_in.LoginMfaApi.as_view(), name="login-2fa"),
    path("auth/refresh", sign_in.RefreshApi.as_view(), name="refresh"),
    path("auth/logout", sign_in.LogoutApi.as_view(), name="logout"),
    path("auth/password/forgot", passwords.PasswordForgotApi.as_view(), name="password-forgot"),
    path("auth/password/reset", passwords.PasswordResetApi.as_view(), name="password-reset"),
    path("me", me.MeApi.as_view(), name="me"),
    path("me/session", me.SessionCurrentApi.as_view(), name="me-session-current"),
    path("me/profile", me.ProfileUpdateApi.as_view(), name="me-profile"),
    path("me/password", me.PasswordChangeApi.as_view(), name="me-password"),
    path("me/sessions", me.SessionListApi.as_view(), name="me-sessions"),
    path("me/sessions/<uuid:session_id>", me.SessionRevokeApi.as_view(), name="me-session"),
    path("me/2fa/enroll", two_factor.TotpEnrollApi.as_view(), name="me-2fa-enroll"),
    path("me/2fa/confirm", two_factor.TotpConfirmApi.as_view(), name="me-2fa-confirm"),
    path("me/2fa/disable", two_factor.TotpDisableApi.as_view(), name="me-2fa-disable"),
    path("me/2fa/recovery-codes", two_factor.RecoveryCodesApi.as_view(), name="me-2fa-recovery-codes"),
    path("me/2fa/verify", two_factor.TotpVerifyApi.as_view(), name="me-2fa-verify"),
    path("staff/members/<str:username>/suspend", staff.MemberSuspendApi.as_view(), name="staff-suspend"),
    path(
        "staff/members/<str:username>/reinstate", staff.MemberReinstateApi.as_view(), name="staff-reinstate"
    ),
    path("sellers/<str:username>", public.SellerProfileApi.as_view(), name="seller"),
    path(".well-known/jwks.json", public.JwksApi.as_view(), name="jwks"),
]
