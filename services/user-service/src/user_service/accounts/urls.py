from django.urls import path

from user_service.accounts import apis

app_name = "accounts"

urlpatterns = [
    path("auth/register", apis.RegisterApi.as_view(), name="register"),
    path("auth/verify-email", apis.VerifyEmailApi.as_view(), name="verify-email"),
    path("auth/resend-verification", apis.ResendVerificationApi.as_view(), name="resend-verification"),
    path("auth/login", apis.LoginApi.as_view(), name="login"),
    path("auth/login/2fa", apis.LoginMfaApi.as_view(), name="login-2fa"),
    path("auth/refresh", apis.RefreshApi.as_view(), name="refresh"),
    path("auth/logout", apis.LogoutApi.as_view(), name="logout"),
    path("auth/password/forgot", apis.PasswordForgotApi.as_view(), name="password-forgot"),
    path("auth/password/reset", apis.PasswordResetApi.as_view(), name="password-reset"),
    path("me", apis.MeApi.as_view(), name="me"),
    path("me/profile", apis.ProfileUpdateApi.as_view(), name="me-profile"),
    path("me/password", apis.PasswordChangeApi.as_view(), name="me-password"),
    path("me/sessions", apis.SessionListApi.as_view(), name="me-sessions"),
    path("me/sessions/<uuid:session_id>", apis.SessionRevokeApi.as_view(), name="me-session"),
    path("me/2fa/enroll", apis.TotpEnrollApi.as_view(), name="me-2fa-enroll"),
    path("me/2fa/confirm", apis.TotpConfirmApi.as_view(), name="me-2fa-confirm"),
    path("me/2fa/disable", apis.TotpDisableApi.as_view(), name="me-2fa-disable"),
    path("me/2fa/recovery-codes", apis.RecoveryCodesApi.as_view(), name="me-2fa-recovery-codes"),
    path("me/2fa/verify", apis.TotpVerifyApi.as_view(), name="me-2fa-verify"),
    path("sellers/<str:username>", apis.SellerProfileApi.as_view(), name="seller"),
    path(".well-known/jwks.json", apis.JwksApi.as_view(), name="jwks"),
]
