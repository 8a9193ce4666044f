"""Configuration of notification-service, read from the environment (every variable is in .env.example).

One function, :func:`load_config`, reads every variable with the ``dbay_common.settings`` helpers:
development defaults point at scripts/devstack; with DBAY_ENV=production a missing URL or secret
stops the process at start. The web app, the worker, the relay, the mailer and the scheduler all
read it.
"""

from typing import Any

from dbay_common.mongo.service import mongo_service_config
from dbay_common.settings import env_bool, env_int, env_str

SERVICE = "notification-service"

#: Development-only signing key of unsubscribe links (production must set UNSUBSCRIBE_SECRET).
DEV_UNSUBSCRIBE_SECRET = "dev-only-unsubscribe-secret-change-me"


def load_config() -> dict[str, Any]:
    """This service's own `app.config` entries (the shared ones come from create_service_app)."""
    return {
        # MONGODB_URI, REDIS_URL (db 6), OUTBOX_RELAY_INTERVAL_S, INBOX_RETENTION_DAYS.
        **mongo_service_config(database="notification", redis_db=6),
        # The web app's public URL: links in emails (and the one-click unsubscribe URL) start with it.
        "PUBLIC_WEB_URL": env_str("PUBLIC_WEB_URL", dev_default="http://localhost:3000").rstrip("/"),
        # Signs unsubscribe links (HMAC-SHA256); changing it invalidates the links already sent.
        "UNSUBSCRIBE_SECRET": env_str("UNSUBSCRIBE_SECRET", dev_default=DEV_UNSUBSCRIBE_SECRET),
        # SMTP server (the same names as user-service): the devstack's sink in development.
        "SMTP_HOST": env_str("SMTP_HOST", dev_default="127.0.0.1"),
        "SMTP_PORT": env_int("SMTP_PORT", dev_default=env_int("DBAY_SMTP_PORT", default=51025)),
        "SMTP_USER": env_str("SMTP_USER", default=""),
        "SMTP_PASSWORD": env_str("SMTP_PASSWORD", default=""),
        "SMTP_USE_TLS": env_bool("SMTP_USE_TLS", default=False),
        "SMTP_TIMEOUT_S": env_int("SMTP_TIMEOUT_S", default=10),
        "MAIL_FROM": env_str("MAIL_FROM", default="dBay <no-reply@dbay.local>"),
        # New-message email: at most one per conversation per this many minutes (offline recipients).
        "MESSAGE_EMAIL_QUIET_MINUTES": env_int("MESSAGE_EMAIL_QUIET_MINUTES", default=15),
        # Mailer: sends before an email is dead-lettered; first retry delay, doubling up to the cap.
        "MAIL_MAX_ATTEMPTS": env_int("MAIL_MAX_ATTEMPTS", default=6),
        "MAIL_RETRY_BASE_S": env_int("MAIL_RETRY_BASE_S", default=30),
        "MAIL_RETRY_MAX_S": env_int("MAIL_RETRY_MAX_S", default=3600),
        # Mailer: seconds between polls when nothing is queued; emails claimed per pass.
        "MAIL_POLL_INTERVAL_S": env_int("MAIL_POLL_INTERVAL_S", default=2),
        "MAIL_BATCH_SIZE": env_int("MAIL_BATCH_SIZE", default=50),
        # Daily digest: the hour (UTC) a member's digest is sent unless they chose another.
        "DIGEST_DEFAULT_HOUR_UTC": env_int("DIGEST_DEFAULT_HOUR_UTC", default=8),
        # Read notifications older than this many days are deleted (daily job).
        "NOTIFICATION_RETENTION_DAYS": env_int("NOTIFICATION_RETENTION_DAYS", default=90),
    }
