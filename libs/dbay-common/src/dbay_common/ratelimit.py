"""Redis-backed rate limits and failure lockouts, shared by every service that needs them.

Two small tools with no knowledge of what they protect:

:class:`RateLimiter`
    "at most N per period" for any number of ``(name, key)`` pairs, checked and consumed in one
    atomic Redis script. The algorithm is GCRA (the generic cell rate algorithm, the one behind
    "leaky bucket as a meter"): each limit keeps a single timestamp, allows a burst of N and then one
    request every ``period / N``, and tells a denied caller exactly when to retry. When several
    limits are checked together (per IP *and* per account) nothing is consumed unless all allow, so
    a request refused by one limit does not eat into the others.

:class:`Lockout`
    "after N failures within a window, refuse for a while": counts failures per key and, at the Nth,
    sets a lock that expires on its own. Successes clear the count (:meth:`Lockout.clear`).

Time is Redis's clock (``TIME`` inside the script), so application servers with skewed clocks share
one view. Keys are ``<prefix><name>:<sha256(key)>``: the caller's key (an email, an IP) never
appears in Redis in clear and cannot blow up key sizes. Each limit is one Redis key that expires
when it no longer matters. The multi-key script assumes a single Redis (not Redis Cluster).

When Redis cannot be reached the limiter raises :class:`~dbay_common.errors.ServiceUnavailable`
(``rate_limiter_unavailable``): a login endpoint whose brute-force protection is down should fail
closed. Pass ``fail_open=True`` where availability matters more than the limit; the failure is then
logged and the request allowed.

Usage::

    limiter = RateLimiter.from_url(settings.REDIS_URL, prefix="ratelimit:user-service:")
    limiter.hit(Limit("login-ip", client_ip, Rate.parse("30/5m")),
                Limit("login-account", login, Rate.parse("10/5m"))).raise_if_denied()
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
from dataclasses import dataclass
from typing import Any

import redis

from dbay_common.errors import RateLimited, ServiceUnavailable

__all__ = ["Decision", "Limit", "Lockout", "LockoutState", "Rate", "RateLimiter"]

logger = logging.getLogger(__name__)

_UNITS_S = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE_RE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")

REDIS_TIMEOUT_S = 1.0


@dataclass(frozen=True)
class Rate:
    """``limit`` events per ``period_s`` seconds (a burst of ``limit``, then one every period/limit)."""

    limit: int
    period_s: float

    def __post_init__(self) -> None:
        if self.limit < 1:
            raise ValueError(f"a rate limit must allow at least 1 event, not {self.limit}")
        if not self.period_s > 0:
            raise ValueError(f"a rate period must be positive, not {self.period_s}")

    @classmethod
    def parse(cls, text: str) -> Rate:
        """``"5/m"``, ``"30/5m"``, ``"10/h"``, ``"100/d"``: count, slash, optional number, unit s/m/h/d."""
        match = _RATE_RE.match(text)
        if match is None:
            raise ValueError(f"rate must look like '10/m' or '30/5m', not {text!r}")
        count, multiplier, unit = match.groups()
        return cls(limit=int(count), period_s=float(int(multiplier or 1) * _UNITS_S[unit]))

    def __str__(self) -> str:
        return f"{self.limit}/{self.period_s:g}s"


@dataclass(frozen=True)
class Limit:
    """One limit to check: ``rate`` applied to ``key`` (an IP, an account) within the family ``name``."""

    name: str
    key: str
    rate: Rate


@dataclass(frozen=True)
class Decision:
    """The outcome of :meth:`RateLimiter.hit`.

    ``remaining`` is how many more events the tightest limit allows right now; ``retry_after_s`` is
    0 when allowed, else when the denying limit will allow this request; ``limit`` is the limit that
    denied it (None when allowed).
    """

    allowed: bool
    remaining: int
    retry_after_s: float
    limit: Limit | None = None

    def raise_if_denied(self, message: str | None = None) -> None:
        """Raise :class:`~dbay_common.errors.RateLimited` (429, ``Retry-After``) when denied."""
        if not self.allowed:
            raise RateLimited(
                message or "Too many requests; try again later.", retry_after_s=self.retry_after_s
            )


# GCRA over several keys, all-or-nothing. ARGV: cost (0: ask about 1 without consuming), then per key
# its emission interval and period in milliseconds. Returns {allowed, remaining, retry_after_ms, index
# of the denying key (1-based) or 0}.
_GCRA_SCRIPT = """
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local cost = tonumber(ARGV[1])
local asked = math.max(cost, 1)
local new_tats = {}
local remaining = -1
local retry_after = 0
local denied_by = 0
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[2 * i])
  local period = tonumber(ARGV[2 * i + 1])
  local tat = tonumber(redis.call('GET', key) or now)
  if tat < now then tat = now end
  local new_tat = tat + asked * interval
  local allow_at = new_tat - period
  if now < allow_at then
    if allow_at - now > retry_after then
      retry_after = allow_at - now
      denied_by = i
    end
  else
    new_tats[i] = new_tat
    local left = math.floor((now - allow_at) / interval)
    if remaining < 0 or left < remaining then remaining = left end
  end
end
if denied_by > 0 then
  return {0, 0, math.ceil(retry_after), denied_by}
end
if cost > 0 then
  for i, key in ipairs(KEYS) do
    redis.call('SET', key, new_tats[i], 'PX', math.max(1, math.ceil(new_tats[i] - now)))
  end
end
if remaining < 0 then remaining = 0 end
return {1, remaining, 0, 0}
"""

# ARGV: max_failures, window_ms, lockout_ms. Returns {locked_for_ms, failures in the window}.
_LOCKOUT_FAILURE_SCRIPT = """
local locked = redis.call('PTTL', KEYS[2])
if locked > 0 then return {locked, tonumber(ARGV[1])} end
local failures = redis.call('INCR', KEYS[1])
if failures == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if failures >= tonumber(ARGV[1]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  redis.call('DEL', KEYS[1])
  return {tonumber(ARGV[3]), failures}
end
return {0, failures}
"""


def _hashed(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _client_from_url(url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url, socket_timeout=REDIS_TIMEOUT_S, socket_connect_timeout=REDIS_TIMEOUT_S, health_check_interval=30
    )


class RateLimiter:
    """Atomic multi-limit GCRA rate limiting on one Redis (see the module docstring). Thread-safe."""

    def __init__(self, client: redis.Redis, *, prefix: str = "ratelimit:", fail_open: bool = False) -> None:
        self.client = client
        self.prefix = prefix
        self.fail_open = fail_open
        self._script = client.register_script(_GCRA_SCRIPT)

    @classmethod
    def from_url(cls, url: str, *, prefix: str = "ratelimit:", fail_open: bool = False) -> RateLimiter:
        """A limiter on the Redis at ``url`` with short socket timeouts (a slow Redis fails fast)."""
        return cls(_client_from_url(url), prefix=prefix, fail_open=fail_open)

    def redis_key(self, limit: Limit) -> str:
        """The Redis key holding ``limit``'s state."""
        return f"{self.prefix}{limit.name}:{_hashed(limit.key)}"

    def hit(self, *limits: Limit, cost: int = 1) -> Decision:
        """Count one event (``cost`` events) against every limit, only if all of them allow it.

        ``cost=0`` only asks whether one more event would be allowed (nothing is consumed). With no
        limits, everything is allowed.
        """
        if cost < 0:
            raise ValueError("cost must be >= 0")
        if not limits:
            return Decision(allowed=True, remaining=0, retry_after_s=0.0)
        args: list[Any] = [cost]
        for limit in limits:
            interval_ms = limit.rate.period_s * 1000 / limit.rate.limit
            args.extend([interval_ms, limit.rate.period_s * 1000])
        try:
            allowed, remaining, retry_after_ms, denied_by = self._script(
                keys=[self.redis_key(limit) for limit in limits], args=args
            )
        except redis.RedisError as error:
            return self._unavailable(error)
        if allowed:
            return Decision(allowed=True, remaining=int(remaining), retry_after_s=0.0)
        return Decision(
            allowed=False,
            remaining=0,
            retry_after_s=max(0.001, int(retry_after_ms) / 1000),
            limit=limits[int(denied_by) - 1],
        )

    def enforce(self, *limits: Limit, cost: int = 1, message: str | None = None) -> Decision:
        """:meth:`hit`, raising :class:`~dbay_common.errors.RateLimited` (429) when denied."""
        decision = self.hit(*limits, cost=cost)
        decision.raise_if_denied(message)
        return decision

    def reset(self, *limits: Limit) -> None:
        """Forget the history of ``limits`` (e.g. an operator lifting a limit)."""
        if limits:
            try:
                self.client.delete(*[self.redis_key(limit) for limit in limits])
            except redis.RedisError as error:
                self._unavailable(error)

    def _unavailable(self, error: redis.RedisError) -> Decision:
        if self.fail_open:
            logger.warning("rate limiter unavailable, allowing the request: %s", error)
            return Decision(allowed=True, remaining=0, retry_after_s=0.0)
        logger.error("rate limiter unavailable: %s", error)
        raise ServiceUnavailable(
            "Request limits cannot be checked right now; try again shortly.", code="rate_limiter_unavailable"
        ) from None


@dataclass(frozen=True)
class LockoutState:
    """``locked_for_s``: seconds until the key unlocks (0 when not locked); ``failures`` in the window."""

    locked_for_s: float
    failures: int

    @property
    def is_locked(self) -> bool:
        return self.locked_for_s > 0


class Lockout:
    """Lock a key for ``lockout_s`` once ``max_failures`` failures happen within ``window_s``.

    The window starts at the first failure (a fixed window per run of failures, so a slow trickle of
    failures below the threshold never locks). Failures recorded while locked do not extend the lock:
    an attacker cannot keep an account locked forever faster than by waiting for it to unlock.
    """

    def __init__(
        self,
        client: redis.Redis,
        *,
        name: str,
        max_failures: int,
        window_s: float,
        lockout_s: float,
        prefix: str = "lockout:",
        fail_open: bool = False,
    ) -> None:
        if max_failures < 1 or window_s <= 0 or lockout_s <= 0:
            raise ValueError("max_failures must be >= 1 and window_s, lockout_s positive")
        self.client = client
        self.name = name
        self.max_failures = max_failures
        self.window_s = window_s
        self.lockout_s = lockout_s
        self.prefix = prefix
        self.fail_open = fail_open
        self._script = client.register_script(_LOCKOUT_FAILURE_SCRIPT)

    def _keys(self, key: str) -> tuple[str, str]:
        base = f"{self.prefix}{self.name}:{_hashed(key)}"
        return f"{base}:failures", f"{base}:locked"

    def state(self, key: str) -> LockoutState:
        """Whether ``key`` is locked (and for how long) and its failures in the current window."""
        failures_key, locked_key = self._keys(key)
        try:
            with self.client.pipeline(transaction=False) as pipe:
                pipe.pttl(locked_key)
                pipe.get(failures_key)
                locked_ms, failures = pipe.execute()
        except redis.RedisError as error:
            return self._unavailable(error)
        return LockoutState(locked_for_s=max(0, int(locked_ms)) / 1000, failures=int(failures or 0))

    def record_failure(self, key: str) -> LockoutState:
        """Count a failure for ``key``; the returned state says whether it is (now) locked."""
        failures_key, locked_key = self._keys(key)
        try:
            locked_ms, failures = self._script(
                keys=[failures_key, locked_key],
                args=[self.max_failures, math.ceil(self.window_s * 1000), math.ceil(self.lockout_s * 1000)],
            )
        except redis.RedisError as error:
            return self._unavailable(error)
        return LockoutState(locked_for_s=int(locked_ms) / 1000, failures=int(failures))

    def clear(self, key: str, *, unlock: bool = False) -> None:
        """Forget ``key``'s failures (after a success); with ``unlock=True`` also lift a lock."""
        failures_key, locked_key = self._keys(key)
        try:
            if unlock:
                self.client.delete(failures_key, locked_key)
            else:
                self.client.delete(failures_key)
        except redis.RedisError as error:
            self._unavailable(error)

    def _unavailable(self, error: redis.RedisError) -> LockoutState:
        if self.fail_open:
            logger.warning("lockout store unavailable, treating %s as unlocked: %s", self.name, error)
            return LockoutState(locked_for_s=0.0, failures=0)
        logger.error("lockout store unavailable: %s", error)
        raise ServiceUnavailable(
            "Sign-in protection cannot be checked right now; try again shortly.",
            code="rate_limiter_unavailable",
        ) from None
