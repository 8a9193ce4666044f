"""Accounts: users and their profiles, sign-in sessions (refresh-token families), the second factor
and the keys that sign access tokens.

No logic lives here (see the services package); models only declare data and the constraints that
keep it right whatever the code does: case-insensitive uniqueness of email and username, one refresh
token hash per token, one current row per thing that must be unique.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

USERNAME_MAX_LENGTH = 30
EMAIL_MAX_LENGTH = 254


class UserManager(BaseUserManager["User"]):
    """Only what Django's auth machinery expects; accounts are created by ``services.user_register``."""

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(username__iexact=username)


class User(AbstractBaseUser):
    """A dBay member. Every member is both a buyer and a seller; ``is_staff`` adds the staff role.

    ``email`` and ``username`` are unique regardless of case (constraints on ``Lower()``), stored as
    the member typed them (email with its domain lower-cased). ``password`` is the Argon2 hash
    (Django's format). The TOTP secret is stored encrypted (see ``crypto.py``); a pending secret is
    the one being enrolled and not yet confirmed with a code.
    """

    id: models.UUIDField = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email: models.CharField = models.CharField(max_length=EMAIL_MAX_LENGTH)
    username: models.CharField = models.CharField(max_length=USERNAME_MAX_LENGTH)
    email_verified_at: models.DateTimeField = models.DateTimeField(null=True, blank=True)
    is_active: models.BooleanField = models.BooleanField(default=True)
    is_staff: models.BooleanField = models.BooleanField(default=False)
    # Staff suspended the member (``services.user_suspend``): no sign-in, no refresh, no session.
    suspended_at: models.DateTimeField = models.DateTimeField(null=True, blank=True)
    suspension_reason: models.TextField = models.TextField(blank=True, default="")
    created_at: models.DateTimeField = models.DateTimeField(default=timezone.now)
    password_changed_at: models.DateTimeField = models.DateTimeField(default=timezone.now)
    totp_secret_encrypted: models.TextField = models.TextField(blank=True, default="")
    totp_pending_secret_encrypted: models.TextField = models.TextField(blank=True, default="")
    totp_enabled_at: models.DateTimeField = models.DateTimeField(null=True, blank=True)
    # The TOTP time step of the last accepted code: a code is accepted once (no replay).
    totp_last_step: models.BigIntegerField = models.BigIntegerField(default=0)

    objects: ClassVar[UserManager] = UserManager()
    profile: Profile  # reverse one-to-one, created with the user

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["email"]

    class Meta:
        db_table = "accounts_user"
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_uniq"),
            models.UniqueConstraint(Lower("username"), name="accounts_user_username_ci_uniq"),
            models.CheckConstraint(
                condition=Q(username__regex=r"^[A-Za-z0-9_]{3,30}$"), name="accounts_user_username_format"
            ),
            models.CheckConstraint(
                condition=Q(totp_enabled_at__isnull=True) | ~Q(totp_secret_encrypted=""),
                name="accounts_user_totp_enabled_has_secret",
            ),
        ]

    def __str__(self) -> str:
        return self.username

    @property
    def is_email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None

    @property
    def is_two_factor_enabled(self) -> bool:
        return self.totp_enabled_at is not None

    @property
    def roles(self) -> list[str]:
        return ["buyer", "seller", "staff"] if self.is_staff else ["buyer", "seller"]


class Profile(models.Model):
    """What a member shows to others; every field is optional ("" when unset)."""

    DISPLAY_NAME_MAX_LENGTH = 50
    AVATAR_URL_MAX_LENGTH = 500
    LOCATION_MAX_LENGTH = 100
    BIO_MAX_LENGTH = 1000

    user: models.OneToOneField = models.OneToOneField(
        User, on_delete=models.CASCADE, primary_key=True, related_name="profile"
    )
    user_id: uuid.UUID
    display_name: models.CharField = models.CharField(
        max_length=DISPLAY_NAME_MAX_LENGTH, blank=True, default=""
    )
    avatar_url: models.CharField = models.CharField(max_length=AVATAR_URL_MAX_LENGTH, blank=True, default="")
    location: models.CharField = models.CharField(max_length=LOCATION_MAX_LENGTH, blank=True, default="")
    bio: models.TextField = models.TextField(max_length=BIO_MAX_LENGTH, blank=True, default="")
    updated_at: models.DateTimeField = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "accounts_profile"
        constraints = [
            models.CheckConstraint(
                condition=Q(avatar_url="") | Q(avatar_url__startswith="https://"),
                name="accounts_profile_avatar_https",
            ),
        ]

    def __str__(self) -> str:
        return f"profile of {self.user_id}"


class Session(models.Model):
    """A signed-in session: one refresh-token family, the ``sid`` of its access tokens.

    Revoking the session (sign-out, reuse of a spent refresh token, password reset or change, the
    member revoking it from the session list, staff) ends the family: no refresh token of it is
    accepted again, and ``session.revoked`` tells every other service to refuse its access tokens.
    ``mfa_at`` is when a TOTP code was last checked in this session; tokens minted from the session
    carry it so other services can ask for a *fresh* second factor.
    """

    class RevokeReason(models.TextChoices):
        SIGNED_OUT = "signed_out"
        REFRESH_TOKEN_REUSED = "refresh_token_reused"
        REVOKED_BY_USER = "revoked_by_user"
        PASSWORD_RESET = "password_reset"
        PASSWORD_CHANGED = "password_changed"
        STAFF = "staff"

    id: models.UUIDField = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user: models.ForeignKey = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    user_id: uuid.UUID
    created_at: models.DateTimeField = models.DateTimeField(default=timezone.now)
    last_used_at: models.DateTimeField = models.DateTimeField(default=timezone.now)
    expires_at: models.DateTimeField = models.DateTimeField()
    auth_time: models.DateTimeField = models.DateTimeField()
    mfa_at: models.DateTimeField = models.DateTimeField(null=True, blank=True)
    user_agent: models.CharField = models.CharField(max_length=512, blank=True, default="")
    ip_address: models.GenericIPAddressField = models.GenericIPAddressField(null=True, blank=True)
    revoked_at: models.DateTimeField = models.DateTimeField(null=True, blank=True)
    revoke_reason: models.CharField = models.CharField(
        max_length=32, choices=RevokeReason.choices, blank=True, default=""
    )

    class Meta:
        db_table = "accounts_session"
        indexes = [
            models.Index(
                fields=["user", "-created_at", "-id"],
                name="accounts_session_active_idx",
                condition=Q(revoked_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True, revoke_reason="")
                | (Q(revoked_at__isnull=False) & ~Q(revoke_reason="")),
                name="accounts_session_revoked_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"session {self.id} of {self.user_id}"

    @property
    def amr(self) -> list[str]:
        return ["pwd", "otp"] if self.mfa_at is not None else ["pwd"]


class RefreshToken(models.Model):
    """One refresh token of a session. Only its SHA-256 is stored; ``used_at`` marks it spent."""

    session: models.ForeignKey = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="refresh_tokens"
    )
    session_id: uuid.UUID
    token_hash: models.CharField = models.CharField(max_length=64, unique=True)
    created_at: models.DateTimeField = models.DateTimeField(default=timezone.now)
    expires_at: models.DateTimeField = models.DateTimeField()
    used_at: models.DateTimeField = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "accounts_refresh_token"
        constraints = [
            # At most one unspent token per family: rotation spends the old one before adding the new.
            models.UniqueConstraint(
                fields=["session"],
                condition=Q(used_at__isnull=True),
                name="accounts_refresh_one_live_per_session",
            ),
        ]

    def __str__(self) -> str:
        return f"refresh token {self.pk} of session {self.session_id}"


class LoginChallenge(models.Model):
    """The second step of a sign-in with 2FA: the password was right, a code is still owed.

    The client holds the random ``mfa_token``; only its SHA-256 is stored. It is single-use, expires
    after ``MFA_CHALLENGE_TTL_S`` and dies after ``MFA_CHALLENGE_MAX_ATTEMPTS`` wrong codes.
    """

    id: models.BigAutoField = models.BigAutoField(primary_key=True)
    user: models.ForeignKey = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="login_challenges"
    )
    user_id: uuid.UUID
    token_hash: models.CharField = models.CharField(max_length=64, unique=True)
    created_at: models.DateTimeField = models.DateTimeField(default=timezone.now)
    expires_at: models.DateTimeField = models.DateTimeField()
    auth_time: models.DateTimeField = models.DateTimeField()
    failed_attempts: models.PositiveSmallIntegerField = models.PositiveSmallIntegerField(default=0)
    consumed_at: models.DateTimeField = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "accounts_login_challenge"

    def __str__(self) -> str:
        return f"login challenge {self.pk} of {self.user_id}"


class RecoveryCode(models.Model):
    """A one-time 2FA recovery code; only its keyed hash is stored."""

    user: models.ForeignKey = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    user_id: uuid.UUID
    code_hash: models.CharField = models.CharField(max_length=64)
    created_at: models.DateTimeField = models.DateTimeField(default=timezone.now)
    used_at: models.DateTimeField = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "accounts_recovery_code"
        constraints = [
            models.UniqueConstraint(fields=["user", "code_hash"], name="accounts_recovery_code_uniq"),
        ]

    def __str__(self) -> str:
        return f"recovery code {self.pk} of {self.user_id}"


class SigningKey(models.Model):
    """An RSA key that signs access tokens (RS256).

    The newest key whose ``activates_at`` has passed signs; every key not retired is published in
    the JWKS (the current one, the previous one, and a new one waiting to activate), so tokens signed
    by the previous key keep verifying after a rotation. The private key is stored encrypted
    (AES-GCM, see ``crypto.py``).
    """

    kid: models.CharField = models.CharField(max_length=64, unique=True)
    public_jwk: models.JSONField = models.JSONField()
    private_key_encrypted: models.TextField = models.TextField()
    created_at: models.DateTimeField = models.DateTimeField(default=timezone.now)
    activates_at: models.DateTimeField = models.DateTimeField(default=timezone.now)
    retired_at: models.DateTimeField = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "accounts_signing_key"

    def __str__(self) -> str:
        return f"signing key {self.kid}"
