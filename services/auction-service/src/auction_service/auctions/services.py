"""Writes for auction-service: `<entity>_<action>` functions, keyword-only and `@transaction.atomic`.

Each one documents its invariants, the rows it locks and the events it emits. Side effects leave
after commit: events through `events.py` (outbox, in this transaction), background work through
`dbay_common.django.celery.enqueue_on_commit(task, ...)`. Never call another service or a broker
inside the transaction unless that call is the point of it and is idempotent.
"""
