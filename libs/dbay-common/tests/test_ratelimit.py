"""RateLimiter and Lockout against the real Redis of the dev stack."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import redis

from dbay_common.errors import RateLimited, ServiceUnavailable
from dbay_common.ratelimit import Decision, Limit, Lockout, LockoutState, Rate, RateLimiter


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def limiter(redis_client: redis.Redis, redis_key_prefix: str) -> Iterator[RateLimiter]:
    yield RateLimiter(redis_client, prefix=redis_key_prefix)
    for key in redis_client.scan_iter(f"{redis_key_prefix}*"):
        redis_client.delete(key)


def lockout(client: redis.Redis, prefix: str, **overrides: float) -> Lockout:
    options: dict[str, float] = {"max_failures": 3, "window_s": 60, "lockout_s": 120, **overrides}
    return Lockout(
        client,
        name="login",
        prefix=prefix,
        max_failures=int(options["max_failures"]),
        window_s=options["window_s"],
        lockout_s=options["lockout_s"],
    )


# -- Rate ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5/s", Rate(5, 1.0)),
        ("10/m", Rate(10, 60.0)),
        ("30/5m", Rate(30, 300.0)),
        ("3/h", Rate(3, 3600.0)),
        (" 100 / 2d ", Rate(100, 172800.0)),
    ],
)
def test_rate_parse(text: str, expected: Rate) -> None:
    assert Rate.parse(text) == expected


@pytest.mark.parametrize("text", ["", "5", "5/", "five/m", "5/w", "-1/m", "5/m/h"])
def test_rate_parse_rejects_nonsense(text: str) -> None:
    with pytest.raises(ValueError, match="rate must look like"):
        Rate.parse(text)


def test_rate_rejects_zero_limit_and_period() -> None:
    with pytest.raises(ValueError, match="at least 1 event"):
        Rate(0, 60)
    with pytest.raises(ValueError, match="must be positive"):
        Rate(5, 0)


# -- RateLimiter -------------------------------------------------------------------------------------


def test_allows_a_burst_of_limit_then_denies_with_retry_after(limiter: RateLimiter) -> None:
    limit = Limit("login-ip", "203.0.113.7", Rate(3, 60))

    decisions = [limiter.hit(limit) for _ in range(4)]

    assert [(d.allowed, d.remaining) for d in decisions] == [(True, 2), (True, 1), (True, 0), (False, 0)]
    denied = decisions[3]
    assert denied.limit == limit
    # One event every 20 s once the burst is used: the next is allowed in (just under) 20 s.
    assert 19.0 < denied.retry_after_s <= 20.0


def test_denied_requests_do_not_consume(limiter: RateLimiter, redis_client: redis.Redis) -> None:
    limit = Limit("x", "k", Rate(1, 60))
    assert limiter.hit(limit).allowed
    before = redis_client.get(limiter.redis_key(limit))

    for _ in range(5):
        assert not limiter.hit(limit).allowed

    assert redis_client.get(limiter.redis_key(limit)) == before


def test_allows_again_after_the_emission_interval(limiter: RateLimiter) -> None:
    limit = Limit("x", "k", Rate(2, 0.4))  # one every 200 ms
    assert limiter.hit(limit).allowed
    assert limiter.hit(limit).allowed
    denied = limiter.hit(limit)
    assert not denied.allowed

    time.sleep(denied.retry_after_s + 0.02)

    assert limiter.hit(limit).allowed


def test_keys_are_independent_and_hashed(limiter: RateLimiter, redis_client: redis.Redis) -> None:
    first = Limit("login-account", "ada@example.com", Rate(1, 60))
    second = Limit("login-account", "bob@example.com", Rate(1, 60))
    other_name = Limit("register-ip", "ada@example.com", Rate(1, 60))

    assert limiter.hit(first).allowed
    assert limiter.hit(second).allowed
    assert limiter.hit(other_name).allowed
    assert not limiter.hit(first).allowed

    keys = sorted(key.decode() for key in redis_client.scan_iter(f"{limiter.prefix}*"))
    assert len(keys) == 3
    assert all("example.com" not in key for key in keys)
    assert limiter.redis_key(first).startswith(f"{limiter.prefix}login-account:")


def test_the_key_expires_when_it_no_longer_matters(limiter: RateLimiter, redis_client: redis.Redis) -> None:
    limit = Limit("x", "k", Rate(10, 60))
    limiter.hit(limit)

    ttl_ms = redis_client.pttl(limiter.redis_key(limit))

    assert 5_000 < ttl_ms <= 6_000  # one emission interval (6 s) after the only event


def test_several_limits_are_all_or_nothing(limiter: RateLimiter, redis_client: redis.Redis) -> None:
    per_ip = Limit("login-ip", "203.0.113.7", Rate(10, 60))
    per_account = Limit("login-account", "ada", Rate(1, 60))
    assert limiter.hit(per_ip, per_account).allowed
    ip_state = redis_client.get(limiter.redis_key(per_ip))

    decision = limiter.hit(per_ip, per_account)

    assert decision.allowed is False
    assert decision.limit == per_account
    # The per-IP limit was not charged for the refused request.
    assert redis_client.get(limiter.redis_key(per_ip)) == ip_state


def test_remaining_is_that_of_the_tightest_limit(limiter: RateLimiter) -> None:
    decision = limiter.hit(Limit("a", "k", Rate(10, 60)), Limit("b", "k", Rate(3, 60)))
    assert decision == Decision(allowed=True, remaining=2, retry_after_s=0.0)


def test_cost_zero_only_asks(limiter: RateLimiter) -> None:
    limit = Limit("x", "k", Rate(1, 60))
    assert limiter.hit(limit, cost=0).allowed
    assert limiter.hit(limit).allowed
    assert limiter.hit(limit, cost=0).allowed is False


def test_enforce_raises_rate_limited_with_retry_after(limiter: RateLimiter) -> None:
    limit = Limit("x", "k", Rate(1, 30))
    limiter.enforce(limit)

    with pytest.raises(RateLimited) as raised:
        limiter.enforce(limit, message="Too many sign-in attempts.")

    error = raised.value
    assert error.status == 429
    assert error.code == "rate_limited"
    assert error.message == "Too many sign-in attempts."
    assert error.headers["Retry-After"] == "30"


def test_reset_forgets_the_history(limiter: RateLimiter) -> None:
    limit = Limit("x", "k", Rate(1, 60))
    limiter.hit(limit)
    assert not limiter.hit(limit).allowed

    limiter.reset(limit)

    assert limiter.hit(limit).allowed


def test_concurrent_hits_never_exceed_the_limit(limiter: RateLimiter) -> None:
    limit = Limit("x", "k", Rate(25, 600))
    results: list[bool] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(10):
            allowed = limiter.hit(limit).allowed
            with lock:
                results.append(allowed)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == 80
    assert results.count(True) == 25


def test_no_limits_allows(limiter: RateLimiter) -> None:
    assert limiter.hit() == Decision(allowed=True, remaining=0, retry_after_s=0.0)


def test_unreachable_redis_fails_closed_by_default(closed_port: int) -> None:
    limiter = RateLimiter.from_url(f"redis://127.0.0.1:{closed_port}/0")

    with pytest.raises(ServiceUnavailable) as raised:
        limiter.hit(Limit("x", "k", Rate(1, 60)))

    assert raised.value.status == 503
    assert raised.value.code == "rate_limiter_unavailable"


def test_unreachable_redis_fails_open_when_asked(closed_port: int) -> None:
    limiter = RateLimiter.from_url(f"redis://127.0.0.1:{closed_port}/0", fail_open=True)

    assert limiter.hit(Limit("x", "k", Rate(1, 60))).allowed


# -- Lockout -----------------------------------------------------------------------------------------


def test_lockout_locks_at_the_nth_failure(redis_client: redis.Redis, redis_key_prefix: str) -> None:
    box = lockout(redis_client, redis_key_prefix)

    states = [box.record_failure("user-1") for _ in range(3)]

    assert [s.failures for s in states] == [1, 2, 3]
    assert [s.is_locked for s in states] == [False, False, True]
    assert states[2].locked_for_s == 120.0
    state = box.state("user-1")
    assert state.is_locked
    assert 119.0 < state.locked_for_s <= 120.0
    assert box.state("user-2") == LockoutState(locked_for_s=0.0, failures=0)


def test_failures_while_locked_do_not_extend_the_lock(
    redis_client: redis.Redis, redis_key_prefix: str
) -> None:
    box = lockout(redis_client, redis_key_prefix, lockout_s=0.5)
    for _ in range(3):
        box.record_failure("user-1")
    time.sleep(0.3)

    again = box.record_failure("user-1")

    assert again.is_locked
    assert again.locked_for_s <= 0.2
    time.sleep(0.25)
    assert box.state("user-1") == LockoutState(locked_for_s=0.0, failures=0)


def test_failures_outside_the_window_do_not_add_up(redis_client: redis.Redis, redis_key_prefix: str) -> None:
    box = lockout(redis_client, redis_key_prefix, window_s=0.3)
    box.record_failure("user-1")
    box.record_failure("user-1")
    time.sleep(0.35)

    state = box.record_failure("user-1")

    assert state == LockoutState(locked_for_s=0.0, failures=1)


def test_clear_forgets_failures_and_unlock_lifts_the_lock(
    redis_client: redis.Redis, redis_key_prefix: str
) -> None:
    box = lockout(redis_client, redis_key_prefix)
    box.record_failure("user-1")
    box.record_failure("user-1")
    box.clear("user-1")
    assert box.state("user-1") == LockoutState(locked_for_s=0.0, failures=0)

    for _ in range(3):
        box.record_failure("user-1")
    box.clear("user-1")
    assert box.state("user-1").is_locked
    box.clear("user-1", unlock=True)
    assert box.state("user-1") == LockoutState(locked_for_s=0.0, failures=0)


def test_lockout_unreachable_redis_fails_closed(closed_port: int) -> None:
    box = Lockout(
        redis.Redis(port=closed_port, socket_connect_timeout=0.5),
        name="login",
        max_failures=3,
        window_s=60,
        lockout_s=60,
    )
    with pytest.raises(ServiceUnavailable):
        box.state("user-1")
    with pytest.raises(ServiceUnavailable):
        box.record_failure("user-1")
