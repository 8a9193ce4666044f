"""Verification of the RS256 access tokens issued by user-service.

Every service verifies tokens locally against user-service's JWKS (no call per request). The
verifier is deliberately narrow:

* the algorithm is pinned to RS256 and checked before anything else, which rules out ``alg: none``
  and the classic confusion attack where an HS256 token is "signed" with the public key as secret;
* ``exp``, ``iat`` and ``sub`` are required, ``iss`` and ``aud`` must match, ``nbf`` is honoured,
  with a small leeway for clock skew;
* keys come from a JWKS document, fetched over HTTP and cached; a token whose ``kid`` is unknown
  triggers one refetch (user-service rotated its key), but such refetches are throttled so a flood of
  tokens with random ``kid`` values cannot turn every service into a load generator against
  user-service.

:meth:`JwtVerifier.verify` raises :class:`TokenInvalid` for a bad token (a 401) and
:class:`~dbay_common.errors.ServiceUnavailable` when no keys can be obtained (a 503: the client is
not at fault).
"""

from __future__ import annotations

import functools
import json
import logging
import threading
import time
from collections.abc import Sequence
from typing import Any

import jwt as pyjwt
import requests
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from jwt.algorithms import RSAAlgorithm

from dbay_common.errors import PermissionDenied, ServiceUnavailable
from dbay_common.settings import env_list, env_str

logger = logging.getLogger(__name__)

ALGORITHM = "RS256"
REQUIRED_CLAIMS = ("exp", "iat", "sub")
JWKS_FETCH_TIMEOUT_S = 2.0
JWKS_RETRY_AFTER_FAILURE_S = 5.0

DEV_ISSUER = "dbay-user-service"
DEV_AUDIENCE = "dbay-api"
DEV_JWKS_URL = "http://127.0.0.1:8004/api/v1/user/.well-known/jwks.json"


class TokenInvalid(Exception):  # noqa: N818 - name fixed by the shared API
    """The token is malformed, forged, expired, or not meant for us. The message is safe to show."""


def _load_jwks(document: Any) -> dict[str | None, RSAPublicKey]:
    """RSA signing keys of a JWKS document by ``kid``; other key types and uses are ignored."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError("JWKS document must be an object with a 'keys' list")
    keys: dict[str | None, RSAPublicKey] = {}
    for entry in document["keys"]:
        if not isinstance(entry, dict) or entry.get("kty") != "RSA":
            continue
        if entry.get("use", "sig") != "sig" or entry.get("alg", ALGORITHM) != ALGORITHM:
            continue
        try:
            key = RSAAlgorithm.from_jwk(json.dumps(entry))
        except (pyjwt.InvalidKeyError, ValueError, TypeError, KeyError):
            logger.warning("ignoring an unreadable key in the JWKS (kid=%r)", entry.get("kid"))
            continue
        if isinstance(key, RSAPrivateKey):
            key = key.public_key()
        if isinstance(key, RSAPublicKey):
            keys[entry.get("kid")] = key
    return keys


class JwtVerifier:
    """Verify access tokens for one issuer/audience against a JWKS (static or fetched).

    One instance per process and configuration: it caches the keys (``jwks_cache_ttl_s``) and is
    thread-safe. Give ``jwks`` for a fixed key set (tests, the issuer verifying its own tokens) or
    ``jwks_url`` to fetch it.
    """

    def __init__(
        self,
        *,
        issuer: str,
        audience: str | list[str],
        jwks_url: str | None = None,
        jwks: dict[str, Any] | None = None,
        leeway_s: int = 30,
        jwks_cache_ttl_s: int = 300,
        jwks_refresh_min_interval_s: float = 30.0,
    ) -> None:
        if (jwks_url is None) == (jwks is None):
            raise ValueError("give exactly one of jwks_url and jwks")
        self.issuer = issuer
        self.audience: list[str] = [audience] if isinstance(audience, str) else list(audience)
        self.jwks_url = jwks_url
        self.leeway_s = leeway_s
        self.jwks_cache_ttl_s = jwks_cache_ttl_s
        self.jwks_refresh_min_interval_s = jwks_refresh_min_interval_s
        self._lock = threading.Lock()
        self._keys: dict[str | None, RSAPublicKey] = _load_jwks(jwks) if jwks is not None else {}
        self._next_fetch_at: float | None = None
        self._last_unknown_kid_refresh_at: float | None = None

    # -- keys --------------------------------------------------------------------------------------

    def _fetch(self, now: float) -> None:
        """Replace the cached keys with the JWKS at ``jwks_url``. Caller holds the lock.

        On failure the previous keys stay in use (user-service being briefly down must not log
        everybody out) and the next attempt is scheduled soon rather than after the full TTL.
        """
        assert self.jwks_url is not None
        try:
            response = requests.get(self.jwks_url, timeout=JWKS_FETCH_TIMEOUT_S)
            response.raise_for_status()
            keys = _load_jwks(response.json())
        except (requests.RequestException, ValueError) as error:
            logger.warning("could not fetch the JWKS from %s: %s", self.jwks_url, error)
            self._next_fetch_at = now + min(JWKS_RETRY_AFTER_FAILURE_S, self.jwks_cache_ttl_s)
            return
        self._keys = keys
        self._next_fetch_at = now + self.jwks_cache_ttl_s

    def _key_for(self, kid: str | None) -> RSAPublicKey:
        with self._lock:
            if self.jwks_url is not None:
                now = time.monotonic()
                if self._next_fetch_at is None or now >= self._next_fetch_at:
                    self._fetch(now)
                elif self._lookup(kid) is None and (
                    self._last_unknown_kid_refresh_at is None
                    or now - self._last_unknown_kid_refresh_at >= self.jwks_refresh_min_interval_s
                ):
                    self._last_unknown_kid_refresh_at = now
                    self._fetch(now)
                if not self._keys:
                    raise ServiceUnavailable(
                        "Token verification keys are unavailable; try again later.", code="jwks_unavailable"
                    )
            key = self._lookup(kid)
        if key is None:
            raise TokenInvalid("token signed with an unknown key")
        return key

    def _lookup(self, kid: str | None) -> RSAPublicKey | None:
        if kid is None:
            # A token without kid is only unambiguous when there is exactly one key.
            return next(iter(self._keys.values())) if len(self._keys) == 1 else None
        return self._keys.get(kid)

    # -- verification --------------------------------------------------------------------------------

    def verify(self, token: str) -> dict[str, Any]:
        """Return the claims of a valid token; raise :class:`TokenInvalid` otherwise."""
        if not isinstance(token, str) or not token or len(token) > 8192:
            raise TokenInvalid("token is missing or too long")
        try:
            header = pyjwt.get_unverified_header(token)
        except pyjwt.PyJWTError:
            raise TokenInvalid("token is malformed") from None
        if header.get("alg") != ALGORITHM:
            raise TokenInvalid(f"token algorithm must be {ALGORITHM}")
        kid = header.get("kid")
        if kid is not None and not isinstance(kid, str):
            raise TokenInvalid("token key id is malformed")
        key = self._key_for(kid)
        try:
            claims: dict[str, Any] = pyjwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway_s,
                options={"require": list(REQUIRED_CLAIMS)},
            )
        except pyjwt.ExpiredSignatureError:
            raise TokenInvalid("token has expired") from None
        except pyjwt.ImmatureSignatureError:
            raise TokenInvalid("token is not yet valid") from None
        except pyjwt.InvalidAudienceError:
            raise TokenInvalid("token audience is not accepted") from None
        except pyjwt.InvalidIssuerError:
            raise TokenInvalid("token issuer is not accepted") from None
        except pyjwt.MissingRequiredClaimError as error:
            raise TokenInvalid(f"token is missing the {error.claim!r} claim") from None
        except pyjwt.InvalidSignatureError:
            raise TokenInvalid("token signature is invalid") from None
        except pyjwt.PyJWTError:
            raise TokenInvalid("token is invalid") from None
        if not isinstance(claims.get("sub"), str) or not claims["sub"]:
            raise TokenInvalid("token subject is invalid")
        return claims


def bearer_token(authorization: bytes | str | None) -> str | None:
    """The token of a ``Bearer`` Authorization header; None when the header is absent or another scheme.

    A ``Bearer`` header that is malformed raises :class:`TokenInvalid`.
    """
    if not authorization:
        return None
    try:
        raw = authorization.encode("latin-1") if isinstance(authorization, str) else authorization
    except UnicodeEncodeError:
        raise TokenInvalid("Authorization header is malformed") from None
    parts = raw.split()
    if not parts or parts[0].lower() != b"bearer":
        return None
    if len(parts) != 2:
        raise TokenInvalid("Authorization header must be 'Bearer <token>'")
    try:
        return parts[1].decode("ascii")
    except UnicodeDecodeError:
        raise TokenInvalid("token is malformed") from None


@functools.lru_cache(maxsize=32)
def _cached_verifier(issuer: str, audience: tuple[str, ...], jwks_url: str) -> JwtVerifier:
    return JwtVerifier(issuer=issuer, audience=list(audience), jwks_url=jwks_url)


def verifier_for(*, issuer: str, audience: str | Sequence[str], jwks_url: str) -> JwtVerifier:
    """The process-wide verifier for this configuration (shared, so the JWKS cache is shared)."""
    audiences = (audience,) if isinstance(audience, str) else tuple(audience)
    return _cached_verifier(issuer, audiences, jwks_url)


def jwt_settings_from_env() -> dict[str, Any]:
    """``JWT_ISSUER``, ``JWT_AUDIENCE`` (comma-separated allowed) and ``JWT_JWKS_URL`` with dev defaults."""
    return {
        "issuer": env_str("JWT_ISSUER", dev_default=DEV_ISSUER),
        "audience": env_list("JWT_AUDIENCE", dev_default=[DEV_AUDIENCE]),
        "jwks_url": env_str("JWT_JWKS_URL", dev_default=DEV_JWKS_URL),
    }


def verifier_from_settings() -> JwtVerifier:
    """The shared verifier configured by the ``JWT_*`` environment variables."""
    return verifier_for(**jwt_settings_from_env())


def reset_verifier_cache() -> None:
    """Forget the shared verifiers (tests that change the JWT settings call this)."""
    _cached_verifier.cache_clear()


# -- second factor -----------------------------------------------------------------------------------

#: The ``amr`` value user-service puts in tokens of sessions that passed a TOTP check (RFC 8176).
MFA_AMR = "otp"
#: How recent the TOTP check must be, by default, for :func:`require_fresh_mfa`.
FRESH_MFA_MAX_AGE_S = 300
MFA_REQUIRED_CODE = "mfa_required"


def require_fresh_mfa(
    claims: dict[str, Any], *, max_age_s: int = FRESH_MFA_MAX_AGE_S, now: float | None = None
) -> None:
    """Raise a 403 ``mfa_required`` unless the token proves a TOTP check within ``max_age_s`` seconds.

    Call it with *verified* claims (from :meth:`JwtVerifier.verify`, ``request.user.claims`` in DRF,
    ``flask.g.claims`` in Flask) before an action that needs a second factor, such as a withdrawal.
    The token must carry ``"otp"`` in ``amr`` and an integer ``mfa_at`` (epoch seconds of the last
    successful TOTP check in the session, set by user-service's sign-in with a code and by
    ``POST /api/v1/user/me/2fa/verify``) no older than ``max_age_s`` (and not in the future beyond the
    verifier's clock-skew leeway). The client's answer to the 403 is to ask the user for a code,
    call ``me/2fa/verify`` for a fresh access token, and retry. ``now`` is for tests.
    """
    current = time.time() if now is None else now
    amr = claims.get("amr")
    mfa_at = claims.get("mfa_at")
    has_otp = isinstance(amr, list) and MFA_AMR in amr
    if not has_otp or not isinstance(mfa_at, int | float) or isinstance(mfa_at, bool):
        raise PermissionDenied(
            "This action needs two-factor verification: confirm with a code from your authenticator app.",
            code=MFA_REQUIRED_CODE,
        )
    age_s = current - float(mfa_at)
    if age_s > max_age_s or age_s < -30:
        raise PermissionDenied(
            f"This action needs a two-factor verification from the last {max_age_s // 60 or 1} minute(s): "
            "confirm with a new code from your authenticator app.",
            code=MFA_REQUIRED_CODE,
        )
