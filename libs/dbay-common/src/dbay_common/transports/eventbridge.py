"""Amazon EventBridge transport: ``PutEvents`` to a custom bus, each service reading its own SQS queue.

Routing lives in the infrastructure, not here: one rule per consuming service on the bus, matching
the ``source`` / ``detail-type`` values that service handles, with that service's queue as target.
So the consumer only ever sees events it subscribed to, and the queue (not a consumer group) is what
remembers a service's progress.

Failure handling differs from Redis Streams on purpose, to use what AWS already provides:

* Publishing: ``PutEvents`` accepts up to 10 entries (and 256 KiB) per call and may reject some of
  them (``FailedEntryCount``); only the rejected ones are retried, a few times with backoff, before
  :class:`EventPublishError` is raised. Entries accepted before the error stay published, so the
  outbox relay's retry may publish them again: consumers deduplicate by ``event_id``.
* Consuming: a message is deleted only after its handler returned. A failing handler leaves it
  invisible for ``visibility_timeout_s``, after which SQS redelivers it; after ``max_attempts``
  receives the queue's *redrive policy* (``maxReceiveCount`` = ``max_attempts``, declared in the
  CloudFormation template with a dead-letter queue) moves it aside. Without a redrive policy a
  poison message would be retried forever, which is why the consumer logs an error once a message has
  been received ``max_attempts`` times.

boto3 reads ``AWS_ENDPOINT_URL`` (and ``AWS_ENDPOINT_URL_EVENTS`` / ``AWS_ENDPOINT_URL_SQS``) itself,
which is how tests point the default clients at a moto server.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import boto3

from dbay_common.events.envelope import Event
from dbay_common.transports.base import EventHandler, EventPublishError

if TYPE_CHECKING:
    from mypy_boto3_events.client import EventBridgeClient
    from mypy_boto3_events.type_defs import PutEventsRequestEntryTypeDef
    from mypy_boto3_sqs.client import SQSClient

__all__ = ["EventBridgePublisher", "SqsEventConsumer"]

logger = logging.getLogger(__name__)

MAX_ENTRIES_PER_CALL = 10
MAX_BYTES_PER_CALL = 256 * 1024


def _entry_size(entry: dict[str, Any]) -> int:
    """The size AWS counts against the 256 KiB ``PutEvents`` limit (strings in UTF-8, 14 for Time)."""
    size = 14
    for key in ("Source", "DetailType", "Detail"):
        size += len(str(entry.get(key, "")).encode())
    return size


def _chunks(entries: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    chunk_bytes = 0
    for entry in entries:
        size = _entry_size(entry)
        if chunk and (len(chunk) == MAX_ENTRIES_PER_CALL or chunk_bytes + size > MAX_BYTES_PER_CALL):
            yield chunk
            chunk, chunk_bytes = [], 0
        chunk.append(entry)
        chunk_bytes += size
    if chunk:
        yield chunk


class EventBridgePublisher:
    """Publishes to ``bus_name`` with ``PutEvents``; see the module docstring for the retry contract."""

    def __init__(
        self,
        *,
        bus_name: str,
        client: EventBridgeClient | None = None,
        max_retries: int = 3,
        retry_base_delay_s: float = 0.2,
    ) -> None:
        self.bus_name = bus_name
        self.max_retries = max_retries
        self.retry_base_delay_s = retry_base_delay_s
        self._client: EventBridgeClient = client if client is not None else boto3.client("events")

    def publish(self, events: Sequence[Event]) -> None:
        entries = [event.to_eventbridge_entry(self.bus_name) for event in events]
        for chunk in _chunks(entries):
            self._put_chunk(chunk)

    def _put_chunk(self, chunk: list[dict[str, Any]]) -> None:
        pending = chunk
        for attempt in range(self.max_retries + 1):
            if attempt:
                time.sleep(self.retry_base_delay_s * 2 ** (attempt - 1))
            request: list[PutEventsRequestEntryTypeDef] = pending  # type: ignore[assignment]
            response = self._client.put_events(Entries=request)
            if not response.get("FailedEntryCount"):
                return
            # Results are positional: result i belongs to entry i of this request.
            failures = [
                (entry, result)
                for entry, result in zip(pending, response["Entries"], strict=True)
                if result.get("ErrorCode")
            ]
            pending = [entry for entry, _result in failures]
            logger.warning(
                "PutEvents rejected %d of %d entries (attempt %d): %s",
                len(failures),
                len(request),
                attempt + 1,
                sorted({f"{r.get('ErrorCode')}: {r.get('ErrorMessage')}" for _e, r in failures}),
            )
        raise EventPublishError(
            f"PutEvents still rejected {len(pending)} entries after {self.max_retries + 1} attempts"
        )


class SqsEventConsumer:
    """Reads EventBridge-shaped messages from this service's SQS queue; deletes each after success."""

    def __init__(
        self,
        *,
        queue_url: str,
        client: SQSClient | None = None,
        visibility_timeout_s: int = 30,
        max_attempts: int = 5,
        batch_size: int = 10,
    ) -> None:
        self.queue_url = queue_url
        self.visibility_timeout_s = visibility_timeout_s
        self.max_attempts = max_attempts
        self.batch_size = min(batch_size, 10)
        self._client: SQSClient = client if client is not None else boto3.client("sqs")
        self._stop_requested = threading.Event()

    def consume(self, handler: EventHandler, *, max_batches: int | None = None, block_ms: int = 1000) -> None:
        """Poll until :meth:`stop` or ``max_batches`` receives; each long-polls up to ``block_ms``
        (rounded down to whole seconds, at most 20, as SQS allows)."""
        wait_s = max(0, min(20, block_ms // 1000))
        polls = 0
        while not self._stop_requested.is_set() and (max_batches is None or polls < max_batches):
            polls += 1
            response = self._client.receive_message(
                QueueUrl=self.queue_url,
                MaxNumberOfMessages=self.batch_size,
                WaitTimeSeconds=wait_s,
                VisibilityTimeout=self.visibility_timeout_s,
                MessageSystemAttributeNames=["ApproximateReceiveCount"],
            )
            for message in response.get("Messages", []):
                if self._stop_requested.is_set():
                    return  # the rest become visible again after the timeout
                self._deliver(handler, message)

    def stop(self) -> None:
        self._stop_requested.set()

    def _deliver(self, handler: EventHandler, message: Any) -> None:
        receive_count = int(message.get("Attributes", {}).get("ApproximateReceiveCount", "1"))
        try:
            event = Event.from_eventbridge(json.loads(message["Body"]))
            handler(event)
        except Exception:
            logger.exception(
                "event message %s failed (receive %d of %d); left for redelivery",
                message.get("MessageId"),
                receive_count,
                self.max_attempts,
            )
            if receive_count >= self.max_attempts:
                logger.error(
                    "message %s reached %d receives; the queue's redrive policy should dead-letter it",
                    message.get("MessageId"),
                    receive_count,
                )
            return
        self._client.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
