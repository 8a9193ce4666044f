"""Settings of user-service: the one settings module, the shared dBay Django settings plus this
service's own, in sections (shared, users and passwords, tokens, email, abuse).

Every value comes from the environment (listed in .env.example). Development defaults point at
scripts/devstack; with DBAY_ENV=production a missing secret or URL stops the process at start.
Periodic jobs are not settings: they are declared in ``user_service/schedules.py``.
"""

from pathlib import Path

from dbay_common.django.conf import common_settings
from dbay_common.ratelimit import Rate
from dbay_common.settings import (
    InvalidSetting,
    current_env,
    env_bool,
    env_int,
    env_list,
    env_str,
    is_production,
)

# ---- shared: stores, API, events, test database --------------------------------------------------

_COMMON = common_settings(
    service="user-service",
    base_dir=Path(__file__).resolve().parent.parent,
    root_urlconf="user_service.urls",
    api_prefix="api/v1/user/",
    installed_apps=["user_service.accounts"],
    database_name="user",
    redis_db=4,
)
globals().update(_COMMON)

DBAY_EVENT_HANDLERS = "user_service.accounts.events:HANDLERS"

# ---- users and passwords -------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
# The username is unique regardless of case through a UniqueConstraint on Lower(username), which
# Django's check (it wants unique=True, a case-sensitive index) does not recognise.
SILENCED_SYSTEM_CHECKS = ["auth.E003"]
# Argon2id first (memory-hard; the OWASP recommendation, with OWASP's parameters: see the class);
# PBKDF2 stays readable so hashes made by another hasher keep working and are upgraded at the next
# sign-in.
PASSWORD_HASHERS = [
    "user_service.accounts.passwords.TunedArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 128
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "email")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "user_service.accounts.passwords.PredictablePasswordValidator"},
]

# ---- tokens --------------------------------------------------------------------------------------

# Verify our own access tokens with the keys in our database, not by fetching our own JWKS.
JWT_VERIFIER_FACTORY = "user_service.accounts.keys.local_verifier"
ACCESS_TOKEN_TTL_S = env_int("ACCESS_TOKEN_TTL_S", default=900)
if not 60 <= ACCESS_TOKEN_TTL_S <= 900:
    raise InvalidSetting("ACCESS_TOKEN_TTL_S must be between 60 and 900 (access tokens live at most 15 min)")
REFRESH_TOKEN_TTL_S = env_int("REFRESH_TOKEN_TTL_S", default=14 * 24 * 3600)
SESSION_MAX_AGE_S = env_int("SESSION_MAX_AGE_S", default=60 * 24 * 3600)
MFA_CHALLENGE_TTL_S = env_int("MFA_CHALLENGE_TTL_S", default=300)
MFA_CHALLENGE_MAX_ATTEMPTS = 5
# Secrets that encrypt the signing keys' private halves at rest (comma-separated; the first encrypts,
# all decrypt, so it can be rotated). Unset: derived from DJANGO_SECRET_KEY.
USER_SERVICE_SIGNING_KEYS = env_list("USER_SERVICE_SIGNING_KEYS", default=())
# A new signing key is published this long before it signs anything, so every process (which caches
# the key set for SIGNING_KEY_CACHE_TTL_S) knows it before the first token it signs arrives.
SIGNING_KEY_ACTIVATION_DELAY_S = env_int("SIGNING_KEY_ACTIVATION_DELAY_S", default=10)
SIGNING_KEY_CACHE_TTL_S = 5
REFRESH_COOKIE_NAME = "dbay_refresh"
REFRESH_COOKIE_PATH = "/api/v1/user/auth/"
REFRESH_COOKIE_SECURE = env_bool("REFRESH_COOKIE_SECURE", default=current_env() != "development")

# ---- email ---------------------------------------------------------------------------------------

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env_str("SMTP_HOST", dev_default="127.0.0.1")
EMAIL_PORT = env_int("SMTP_PORT", dev_default=env_int("DBAY_SMTP_PORT", default=51025))
EMAIL_HOST_USER = env_str("SMTP_USER", default="")
EMAIL_HOST_PASSWORD = env_str("SMTP_PASSWORD", default="")
EMAIL_USE_TLS = env_bool("SMTP_USE_TLS", default=False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("MAIL_FROM", default="dBay <no-reply@dbay.local>")
PUBLIC_WEB_URL = env_str("PUBLIC_WEB_URL", dev_default="http://localhost:3000").rstrip("/")
EMAIL_VERIFICATION_TTL_S = env_int("EMAIL_VERIFICATION_TTL_S", default=48 * 3600)
PASSWORD_RESET_TTL_S = env_int("PASSWORD_RESET_TTL_S", default=3600)

# ---- abuse ---------------------------------------------------------------------------------------

# X-Forwarded-For is believed only when the request comes from one of these networks (the gateway).
# Production default: none, so the client address is the peer address until the operator names the
# ingress networks.
TRUSTED_PROXY_CIDRS = env_list(
    "TRUSTED_PROXY_CIDRS", default=() if is_production() else ("127.0.0.1/32", "::1/128")
)
RATELIMIT_REDIS_URL = _COMMON["REDIS_URL"]
RATELIMIT_KEY_PREFIX = "ratelimit:user-service:"
# Rates as "<count>/<period>" (see dbay_common.ratelimit.Rate.parse), per client IP and per account.
_DEFAULT_RATE_LIMITS = {
    "login-ip": "30/5m",
    "register-ip": "10/h",
    "verify-ip": "30/h",
    "resend-ip": "10/h",
    "resend-account": "3/h",
    "forgot-ip": "10/h",
    "forgot-account": "3/h",
    "reset-ip": "20/h",
    "mfa-ip": "30/5m",
    "mfa-account": "10/5m",
    "refresh-ip": "120/5m",
    "password-change-account": "10/h",
}


def _rate_limits(overrides: list[str]) -> dict[str, str]:
    """The default limits with ``RATE_LIMITS`` overrides (``name=rate,...``) applied and checked."""
    limits = dict(_DEFAULT_RATE_LIMITS)
    for item in overrides:
        name, _, rate = item.partition("=")
        if name.strip() not in limits:
            raise InvalidSetting(f"RATE_LIMITS: unknown limit {name.strip()!r}; known: {', '.join(limits)}")
        try:
            Rate.parse(rate)
        except ValueError as error:
            raise InvalidSetting(f"RATE_LIMITS: {error}") from None
        limits[name.strip()] = rate.strip()
    return limits


RATE_LIMITS = _rate_limits(env_list("RATE_LIMITS", default=()))
# Sign-in throttling (accounts/sign_in_throttle.py): failures per (account, source) before delays of
# 2, 4, 8, ... seconds start, failures from unseen sources per account before the same, the longest
# delay, and how long failures are remembered after the last one.
SIGN_IN_THROTTLE_FREE_FAILURES = env_int("SIGN_IN_THROTTLE_FREE_FAILURES", default=5)
SIGN_IN_THROTTLE_ACCOUNT_FREE_FAILURES = env_int("SIGN_IN_THROTTLE_ACCOUNT_FREE_FAILURES", default=50)
SIGN_IN_THROTTLE_MAX_DELAY_S = env_int("SIGN_IN_THROTTLE_MAX_DELAY_S", default=15 * 60)
SIGN_IN_THROTTLE_MEMORY_S = env_int("SIGN_IN_THROTTLE_MEMORY_S", default=24 * 3600)
# An IP an account signed in from counts as seen for this long after the last success there.
KNOWN_IP_TTL_S = env_int("KNOWN_IP_TTL_S", default=90 * 24 * 3600)
# The signed cookie that marks a browser as one an account signed in from (accounts/known_devices.py).
KNOWN_DEVICE_COOKIE_NAME = "dbay_device"
KNOWN_DEVICE_TTL_S = env_int("KNOWN_DEVICE_TTL_S", default=365 * 24 * 3600)
# At most one "sign-in attempts slowed down" mail per account in this period.
SIGN_IN_ALERT_INTERVAL_S = 3600
