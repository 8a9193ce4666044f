"""A small JSON-RPC client for the Dogecoin node, restricted to the documented RPC subset.

``docs/wallet-architecture.md`` lists the calls that exist with the same meaning in Dogecoin Core
1.14 (production) and litecoind 0.21 (development and tests), and the positional form each is called
with. :class:`NodeClient` refuses any other method before it reaches the network, so a call that
would work on the local node but not on dogecoind cannot creep in. Test harnesses that need
test-only calls (``createwallet``, ``generatetoaddress``...) pass their own ``allowed_methods``.

Amounts are parsed as :class:`~decimal.Decimal` (``parse_float``), never ``float``, and turned into
integer koinu by :func:`koinu_from_coins`, which refuses anything that is not a whole koinu.
"""

from __future__ import annotations

import itertools
import json
import logging
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

logger = logging.getLogger(__name__)

#: The documented subset (docs/wallet-architecture.md, "The RPC subset the wallet may use").
SERVICE_METHODS = frozenset(
    {
        "getblockchaininfo",
        "getblockcount",
        "getblockhash",
        "getbestblockhash",
        "getblockheader",
        "getblock",
        "getrawtransaction",
        "decoderawtransaction",
        "sendrawtransaction",
        "getrawmempool",
        "getmempoolentry",
        "validateaddress",
        "gettxout",
    }
)

# Bitcoin-Core-family RPC error codes the wallet acts on (src/rpc/protocol.h, same in 0.14 and 0.21).
RPC_INVALID_ADDRESS_OR_KEY = -5  # unknown transaction / block
RPC_INVALID_PARAMETER = -8  # block height out of range
RPC_VERIFY_ERROR = -25  # e.g. missing inputs
RPC_VERIFY_REJECTED = -26  # rejected by policy or consensus
RPC_VERIFY_ALREADY_IN_CHAIN = -27
RPC_IN_WARMUP = -28

KOINU_PER_COIN = Decimal(100_000_000)


class NodeError(Exception):
    """Anything that went wrong talking to the node."""


class NodeUnavailable(NodeError):  # noqa: N818 - reads better at call sites than NodeUnavailableError
    """The node could not be reached, timed out, refused our credentials or is warming up.

    Nothing is known about the call's effect: callers retry later (every call the wallet makes is
    safe to repeat: reads, and ``sendrawtransaction`` of a transaction we stored).
    """


class RpcError(NodeError):
    """The node answered with a JSON-RPC error (``code`` and ``message`` as the node sent them)."""

    def __init__(self, method: str, code: int, message: str) -> None:
        super().__init__(f"{method}: RPC error {code}: {message}")
        self.method = method
        self.code = code
        self.message = message


class MethodNotAllowed(NodeError):  # noqa: N818
    """A call outside the documented subset: a programming error, raised before any request."""


def koinu_from_coins(value: Decimal | int | str) -> int:
    """Coins as the node writes them (``Decimal("1.5")``) → integer koinu (150000000), exactly."""
    if isinstance(value, float | bool):
        raise TypeError("amounts from the node must be parsed as Decimal, never float")
    amount = Decimal(value) * KOINU_PER_COIN
    if amount != amount.to_integral_value():
        raise ValueError(f"amount {value} is not a whole number of koinu")
    return int(amount)


def coins_from_koinu(amount_koinu: int) -> Decimal:
    """Integer koinu → the Decimal coin amount the node expects in JSON (test harness use)."""
    return Decimal(amount_koinu) / KOINU_PER_COIN


def _strip_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """Split ``http://user:pass@host:port/`` into the bare URL and basic-auth credentials."""
    parts = urlsplit(url)
    if parts.username is None:
        return url, None
    netloc = parts.hostname or ""
    if parts.port is not None:
        netloc = f"{netloc}:{parts.port}"
    bare = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, parts.fragment))
    return bare, (parts.username, parts.password or "")


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        # As a string: the node's AmountFromValue accepts "0.5" (0.14 and 0.21), and a string keeps
        # the exact decimal digits that a JSON float would not.
        return format(value, "f")
    raise TypeError(f"cannot send {type(value).__name__} to the node")


class NodeClient:
    """JSON-RPC over HTTP to one node. Thread-compatible (one ``requests.Session`` per client)."""

    def __init__(
        self,
        url: str,
        *,
        timeout_s: float = 10.0,
        allowed_methods: Iterable[str] = SERVICE_METHODS,
        wallet: str | None = None,
    ) -> None:
        bare, auth = _strip_credentials(url)
        if wallet is not None:
            bare = bare.rstrip("/") + f"/wallet/{wallet}"
        self._url = bare
        self._auth = auth
        self._timeout_s = timeout_s
        self._allowed = frozenset(allowed_methods)
        self._session = requests.Session()
        self._ids = itertools.count(1)

    # -- transport ---------------------------------------------------------------------------------

    def _check(self, method: str) -> None:
        if method not in self._allowed:
            raise MethodNotAllowed(
                f"{method} is not in the documented RPC subset (docs/wallet-architecture.md)"
            )

    def _post(self, body: Any) -> Any:
        try:
            response = self._session.post(
                self._url,
                data=json.dumps(body, default=_json_default),
                headers={"Content-Type": "application/json"},
                auth=self._auth,
                timeout=self._timeout_s,
            )
        except requests.Timeout as error:
            raise NodeUnavailable(f"node timed out after {self._timeout_s} s") from error
        except requests.RequestException as error:
            raise NodeUnavailable(f"node unreachable: {type(error).__name__}") from error
        if response.status_code in (401, 403):
            raise NodeUnavailable("node refused the RPC credentials")
        try:
            # Core answers RPC errors with HTTP 500/404 and a JSON body; read the body either way.
            return json.loads(response.text, parse_float=Decimal)
        except ValueError:
            raise NodeUnavailable(f"node answered HTTP {response.status_code} without JSON") from None

    @staticmethod
    def _result(method: str, payload: Any) -> Any:
        if not isinstance(payload, dict):
            raise NodeUnavailable(f"{method}: malformed JSON-RPC response")
        error = payload.get("error")
        if error:
            code = int(error.get("code", 0)) if isinstance(error, dict) else 0
            message = str(error.get("message", "")) if isinstance(error, dict) else str(error)
            if code == RPC_IN_WARMUP:
                raise NodeUnavailable(f"{method}: node is warming up: {message}")
            raise RpcError(method, code, message)
        return payload.get("result")

    def call(self, method: str, *params: Any) -> Any:
        """Call ``method`` with positional ``params``; return its result or raise."""
        self._check(method)
        body = {"jsonrpc": "1.0", "id": next(self._ids), "method": method, "params": list(params)}
        return self._result(method, self._post(body))

    def batch(self, calls: Sequence[tuple[str, Sequence[Any]]]) -> list[Any]:
        """Several calls in one HTTP request (JSON-RPC batch, supported by 0.14 and 0.21 alike).

        Returns one entry per call, in order: the result, or the :class:`RpcError` instance for a call
        that failed (so one unknown txid does not hide the others' answers).
        """
        if not calls:
            return []
        for method, _ in calls:
            self._check(method)
        first = next(self._ids)
        body = [
            {"jsonrpc": "1.0", "id": first + offset, "method": method, "params": list(params)}
            for offset, (method, params) in enumerate(calls)
        ]
        for _ in range(len(calls) - 1):
            next(self._ids)
        payload = self._post(body)
        if not isinstance(payload, list):
            # A whole-batch failure comes back as a single error object.
            self._result(calls[0][0], payload)
            raise NodeUnavailable("batch: malformed JSON-RPC response")
        by_id = {item.get("id"): item for item in payload if isinstance(item, dict)}
        results: list[Any] = []
        for offset, (method, _) in enumerate(calls):
            item = by_id.get(first + offset)
            if item is None:
                raise NodeUnavailable(f"batch: no answer for {method}")
            try:
                results.append(self._result(method, item))
            except RpcError as error:
                results.append(error)
        return results

    # -- the subset, typed -------------------------------------------------------------------------

    def get_blockchain_info(self) -> dict[str, Any]:
        return dict(self.call("getblockchaininfo"))

    def get_block_count(self) -> int:
        return int(self.call("getblockcount"))

    def get_best_block_hash(self) -> str:
        return str(self.call("getbestblockhash"))

    def get_block_hash(self, height: int) -> str | None:
        """The hash at ``height`` on the node's best chain, or None above its tip."""
        try:
            return str(self.call("getblockhash", height))
        except RpcError as error:
            if error.code == RPC_INVALID_PARAMETER:
                return None
            raise

    def get_block_header(self, block_hash: str) -> dict[str, Any]:
        return dict(self.call("getblockheader", block_hash, True))

    def get_block(self, block_hash: str) -> dict[str, Any]:
        """Verbose block (``[hash, true]``): header fields and ``tx``, the list of txids."""
        return dict(self.call("getblock", block_hash, True))

    def get_raw_transaction(self, txid: str) -> dict[str, Any] | None:
        """Decoded transaction (``[txid, 1]``) or None when the node does not know it."""
        try:
            return dict(self.call("getrawtransaction", txid, 1))
        except RpcError as error:
            if error.code == RPC_INVALID_ADDRESS_OR_KEY:
                return None
            raise

    def get_raw_transactions(self, txids: Sequence[str], *, chunk: int = 200) -> dict[str, dict[str, Any]]:
        """Decoded transactions by txid, fetched in batches; unknown txids are left out."""
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(txids), chunk):
            part = txids[start : start + chunk]
            answers = self.batch([("getrawtransaction", (txid, 1)) for txid in part])
            for txid, answer in zip(part, answers, strict=True):
                if isinstance(answer, RpcError):
                    if answer.code == RPC_INVALID_ADDRESS_OR_KEY:
                        continue
                    raise answer
                found[txid] = answer
        return found

    def get_raw_mempool(self) -> list[str]:
        return [str(txid) for txid in self.call("getrawmempool")]

    def send_raw_transaction(self, raw_hex: str) -> str:
        """Broadcast (``[hex]`` only: the second argument means different things in 0.14 and 0.21)."""
        return str(self.call("sendrawtransaction", raw_hex))

    def get_tx_out(self, txid: str, vout: int, *, include_mempool: bool) -> dict[str, Any] | None:
        """The unspent output ``txid:vout`` (``[txid, n, include_mempool]``), or None if spent/unknown."""
        result = self.call("gettxout", txid, vout, include_mempool)
        return None if result is None else dict(result)


def node_client() -> NodeClient:
    """A client for the configured node (settings DOGECOIN_RPC_URL, CHAIN_RPC_TIMEOUT_S)."""
    from django.conf import settings

    return NodeClient(settings.DOGECOIN_RPC_URL, timeout_s=float(settings.CHAIN_RPC_TIMEOUT_S))
