"""Writes for user-service: `<entity>_<action>` functions, keyword-only and `@transaction.atomic`.

Each one documents its invariants, the rows it locks and the events it puts in the outbox (built in
``accounts/events.py``). The rules on what a member may choose are in ``accounts/policy.py``.

Failures that must leave a trace (a reused
refresh token revokes its family) commit that trace first and raise afterwards: the work runs in a
function that *returns* the error, and ``common.raise_after_commit`` raises it once the transaction
has committed.

One module per area; import the package (``from user_service.accounts import services``), not the
modules:

- ``registration``: sign-up and email verification
- ``sign_in``: the password step and the 2FA step of signing in
- ``sessions``: access and refresh tokens, refresh, sign-out, revoking a session
- ``two_factor``: TOTP enrolment, recovery codes, step-up
- ``passwords``: forgotten password, reset, change
- ``profiles``: the public profile
- ``mail``: the mails, sent by Celery tasks
- ``housekeeping``: purge of old sign-in records, the staff role
- ``signing_keys``: the first key and rotation
- ``suspensions``: staff suspend and reinstate a member
"""

from user_service.accounts.services.common import ClientInfo, IssuedTokens, MfaChallengeIssued, token_hash
from user_service.accounts.services.housekeeping import PurgeResult, auth_records_purge, user_staff_set
from user_service.accounts.services.mail import (
    user_password_reset_email_send_to,
    user_registration_attempt_email_send,
    user_sign_in_throttled_email_send,
    user_verification_email_send,
    user_verification_email_send_to,
)
from user_service.accounts.services.passwords import (
    user_password_change,
    user_password_forgot,
    user_password_reset,
)
from user_service.accounts.services.profiles import profile_update
from user_service.accounts.services.registration import (
    user_email_verify,
    user_register,
    user_verification_resend,
)
from user_service.accounts.services.sessions import (
    session_logout,
    session_refresh,
    session_revoke,
    sessions_revoke_by_staff,
)
from user_service.accounts.services.sign_in import user_login, user_login_mfa
from user_service.accounts.services.signing_keys import (
    RotationRefused,
    RotationResult,
    signing_key_ensure,
    signing_key_rotate,
)
from user_service.accounts.services.suspensions import user_reinstate, user_suspend
from user_service.accounts.services.two_factor import (
    TotpEnrolment,
    recovery_codes_regenerate,
    session_mfa_verify,
    totp_confirm,
    totp_disable,
    totp_enroll,
)

__all__ = [
    "ClientInfo",
    "IssuedTokens",
    "MfaChallengeIssued",
    "PurgeResult",
    "RotationRefused",
    "RotationResult",
    "TotpEnrolment",
    "auth_records_purge",
    "profile_update",
    "recovery_codes_regenerate",
    "session_logout",
    "session_mfa_verify",
    "session_refresh",
    "session_revoke",
    "sessions_revoke_by_staff",
    "signing_key_ensure",
    "signing_key_rotate",
    "token_hash",
    "totp_confirm",
    "totp_disable",
    "totp_enroll",
    "user_email_verify",
    "user_login",
    "user_login_mfa",
    "user_password_change",
    "user_password_forgot",
    "user_password_reset",
    "user_password_reset_email_send_to",
    "user_register",
    "user_registration_attempt_email_send",
    "user_reinstate",
    "user_sign_in_throttled_email_send",
    "user_staff_set",
    "user_suspend",
    "user_verification_email_send",
    "user_verification_email_send_to",
    "user_verification_resend",
]
