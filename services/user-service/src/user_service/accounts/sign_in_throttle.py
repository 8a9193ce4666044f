"""Sign-in throttling (OWASP): growing delays per (account, source) instead of an account lockout.

A lockout lets anyone lock anyone out, since usernames are public. Here failures are counted per
**(account, source)**: the source is the browser's ``known_device`` cookie when it vouches for the
account (``known_devices.py``), else the client IP. After ``SIGN_IN_THROTTLE_FREE_FAILURES`` failures
from one source, each further attempt from it must wait 2, 4, 8, ... seconds (capped at
``SIGN_IN_THROTTLE_MAX_DELAY_S``), answered 429 with the exact ``Retry-After``. Failures from sources
the account has **not seen** (no device cookie for it, an IP it never signed in from) also count
towards a per-account ceiling (``SIGN_IN_THROTTLE_ACCOUNT_FREE_FAILURES``, growing delays past it)
that slows an attacker spread over many IPs; sources the account has seen skip that ceiling, so
the owner on their own device or network signs in whatever an attacker does elsewhere.

* An attempt refused with 429 is not counted and checks no password.
* An attempt past the free failures reserves its slot before the password is checked (as if it were
  going to fail), so concurrent attempts cannot slip through one delay together.
* The state is keyed by the account's password generation (``password_changed_at``): a password
  reset or change starts it afresh. Unknown login names are throttled exactly like accounts.
* A success clears its own (account, source) count and remembers the IP as seen for 90 days.
* When an unseen source is first slowed on an account, the owner is mailed (at most once an hour).

State lives in the rate-limit Redis (``RATELIMIT_REDIS_URL``): Redis's clock, atomic scripts, keys
hashed, each expiring ``SIGN_IN_THROTTLE_MEMORY_S`` after the last failure. Redis down: 503.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import redis
from django.conf import settings

from dbay_common.errors import RateLimited, ServiceUnavailable
from user_service.accounts import throttling

# KEYS: pair, account. ARGV: use_account (0/1), free, account_free, cap_ms. Returns ms to wait (0: go;
# the slot of an attempt past the free failures is then reserved).
_CHECK_SCRIPT = """
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local use_account = ARGV[1] == '1'
local cap = tonumber(ARGV[4])
local function wait(key)
  local next_at = tonumber(redis.call('HGET', key, 'n') or '0')
  if next_at > now then return next_at - now end
  return 0
end
local retry = wait(KEYS[1])
if use_account then retry = math.max(retry, wait(KEYS[2])) end
if retry > 0 then return retry end
local function reserve(key, free)
  local failures = tonumber(redis.call('HGET', key, 'f') or '0')
  if failures >= free then
    redis.call('HSET', key, 'n', now + math.min(2 ^ (failures - free + 2) * 1000, cap))
  end
end
reserve(KEYS[1], tonumber(ARGV[2]))
if use_account then reserve(KEYS[2], tonumber(ARGV[3])) end
return 0
"""

# KEYS: pair, account. ARGV: use_account, free, account_free, cap_ms, memory_ms. Returns the delay
# (ms) now imposed on the pair and on the account (0 when still within the free failures).
_FAILURE_SCRIPT = """
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local cap = tonumber(ARGV[4])
local function fail(key, free)
  local failures = redis.call('HINCRBY', key, 'f', 1)
  local delay = 0
  if failures >= free then
    delay = math.min(2 ^ (failures - free + 1) * 1000, cap)
    redis.call('HSET', key, 'n', now + delay)
  else
    redis.call('HDEL', key, 'n')
  end
  redis.call('PEXPIRE', key, ARGV[5])
  return delay
end
local pair_delay = fail(KEYS[1], tonumber(ARGV[2]))
local account_delay = 0
if ARGV[1] == '1' then account_delay = fail(KEYS[2], tonumber(ARGV[3])) end
return {pair_delay, account_delay}
"""


def _hashed(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:32]


def _wait_words(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = round(seconds / 60)
    return f"about {minutes} minutes"


def too_many_attempts(retry_after_s: float) -> RateLimited:
    """429 ``rate_limited`` in plain words, with ``Retry-After`` (whole seconds, rounded up)."""
    seconds = max(1, int(-(-retry_after_s // 1)))
    return RateLimited(
        f"Too many failed sign-in attempts. Please wait {_wait_words(seconds)} and try again, or "
        "reset your password if you have forgotten it.",
        retry_after_s=seconds,
    )


@dataclass(frozen=True)
class Source:
    """Where an attempt comes from, as the throttle counts it, and whether the account has seen it."""

    key: str
    is_known: bool
    ip_address: str | None


@dataclass(frozen=True)
class FailureOutcome:
    pair_delay_s: float
    account_delay_s: float

    @property
    def is_slowed(self) -> bool:
        return self.pair_delay_s > 0 or self.account_delay_s > 0


class SignInThrottle:
    """See the module docstring. ``account`` is :func:`account_key` of the account or unknown name."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self.prefix = f"{settings.RATELIMIT_KEY_PREFIX}signin:"
        self._check = client.register_script(_CHECK_SCRIPT)
        self._failure = client.register_script(_FAILURE_SCRIPT)

    def _keys(self, account: str, source: Source) -> list[str]:
        return [
            f"{self.prefix}pair:{_hashed(f'{account}|{source.key}')}",
            f"{self.prefix}account:{_hashed(account)}",
        ]

    def _known_ips_key(self, user_id: str) -> str:
        return f"{self.prefix}known-ip:{_hashed(user_id)}"

    def _args(self, source: Source) -> list[int]:
        return [
            0 if source.is_known else 1,
            settings.SIGN_IN_THROTTLE_FREE_FAILURES,
            settings.SIGN_IN_THROTTLE_ACCOUNT_FREE_FAILURES,
            settings.SIGN_IN_THROTTLE_MAX_DELAY_S * 1000,
            settings.SIGN_IN_THROTTLE_MEMORY_S * 1000,
        ]

    def source(
        self,
        *,
        user_id: str | None,
        ip_address: str | None,
        device_user_ids: frozenset[str],
        device_id: str | None,
    ) -> Source:
        """The device when its cookie vouches for ``user_id``, else the IP (seen or not)."""
        if user_id is not None and device_id is not None and user_id in device_user_ids:
            return Source(key=f"device:{device_id}", is_known=True, ip_address=ip_address)
        ip_key = ip_address or "unknown"
        try:
            is_known = user_id is not None and bool(
                self.client.sismember(self._known_ips_key(user_id), _hashed(ip_key))
            )
        except redis.RedisError as error:
            raise _unavailable(error) from None
        return Source(key=f"ip:{ip_key}", is_known=is_known, ip_address=ip_address)

    def check(self, *, account: str, source: Source) -> None:
        """429 while this source (or, for unseen sources, the account) must wait; else reserve the slot."""
        try:
            wait_ms = int(self._check(keys=self._keys(account, source), args=self._args(source)[:4]))
        except redis.RedisError as error:
            raise _unavailable(error) from None
        if wait_ms > 0:
            raise too_many_attempts(wait_ms / 1000)

    def record_failure(self, *, account: str, source: Source) -> FailureOutcome:
        try:
            pair_ms, account_ms = self._failure(keys=self._keys(account, source), args=self._args(source))
        except redis.RedisError as error:
            raise _unavailable(error) from None
        return FailureOutcome(pair_delay_s=int(pair_ms) / 1000, account_delay_s=int(account_ms) / 1000)

    def release(self, *, account: str, source: Source) -> None:
        """Give back the slot :meth:`check` reserved (the password was right; a code is still owed)."""
        pair, account_key_ = self._keys(account, source)
        try:
            self.client.hdel(pair, "n")
            if not source.is_known:
                self.client.hdel(account_key_, "n")
        except redis.RedisError as error:
            raise _unavailable(error) from None

    def record_success(self, *, account: str, source: Source, user_id: str) -> None:
        """Clear this source's failures on the account and remember the IP as seen by the account."""
        pair, _ = self._keys(account, source)
        known_ips = self._known_ips_key(user_id)
        try:
            with self.client.pipeline(transaction=False) as pipe:
                pipe.delete(pair)
                if source.ip_address is not None:
                    pipe.sadd(known_ips, _hashed(source.ip_address))
                    pipe.expire(known_ips, settings.KNOWN_IP_TTL_S)
                pipe.execute()
        except redis.RedisError as error:
            raise _unavailable(error) from None


def _unavailable(error: redis.RedisError) -> ServiceUnavailable:
    return ServiceUnavailable(
        "Sign-in protection cannot be checked right now; try again shortly.", code="rate_limiter_unavailable"
    )


def sign_in_throttle() -> SignInThrottle:
    return SignInThrottle(throttling.redis_client())
