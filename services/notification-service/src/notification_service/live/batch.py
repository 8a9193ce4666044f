"""Many small Redis reads of many sockets, sent as few pipelines.

When thousands of browsers reconnect at once (after a deploy, or a network blip), each one signs in
(one ``EXISTS`` on the revocation list, one presence write) and subscribes (a ``GET`` of the topic's
seq and an ``XRANGE`` of its replay stream). Sent one by one, those requests wait for a pooled
connection and time out under load; here they queue, and one task sends everything queued so far
as a single ``MULTI``/``EXEC`` pipeline, then the next batch. Under light load a batch is one
request and costs one round trip, as before; under a burst the batches grow and the round trips do
not. Each request's commands run together and atomically (inside the batch's transaction).
"""

from __future__ import annotations

import asyncio
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

__all__ = ["Command", "RedisBatcher"]

#: One Redis command: the client method's name, its positional and keyword arguments.
Command = tuple[str, tuple[Any, ...], dict[str, Any]]
MAX_BATCH_COMMANDS = 2000


class RedisBatcher:
    """Queues requests (lists of commands) and runs them in pipelines, one batch at a time."""

    def __init__(self, redis_client: aioredis.Redis) -> None:
        self.redis = redis_client
        self._queue: list[tuple[list[Command], asyncio.Future[list[Any]]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self.batches = 0

    async def run(self, commands: list[Command]) -> list[Any]:
        """The results of ``commands``, in order; raises what the pipeline raised."""
        future: asyncio.Future[list[Any]] = asyncio.get_running_loop().create_future()
        self._queue.append((commands, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.ensure_future(self._flush())
        return await future

    def _take(self) -> list[tuple[list[Command], asyncio.Future[list[Any]]]]:
        size = 0
        taken = 0
        for commands, _ in self._queue:
            if taken and size + len(commands) > MAX_BATCH_COMMANDS:
                break
            size += len(commands)
            taken += 1
        batch = self._queue[:taken]
        del self._queue[:taken]
        return [(commands, future) for commands, future in batch if not future.done()]

    async def _flush(self) -> None:
        while self._queue:
            batch = self._take()
            if not batch:
                continue
            self.batches += 1
            try:
                async with self.redis.pipeline(transaction=True) as pipe:
                    for commands, _ in batch:
                        for name, args, kwargs in commands:
                            getattr(pipe, name)(*args, **kwargs)
                    results = await pipe.execute()
            except (RedisError, OSError) as error:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            position = 0
            for commands, future in batch:
                answer = results[position : position + len(commands)]
                position += len(commands)
                if not future.done():
                    future.set_result(answer)
