"""auction-service: auctions and bids (PostgreSQL) and live auction state and pub/sub (Redis)."""

# The Celery app is loaded with the package so that tasks queued from web requests (the outbox relay
# after commit) reach this service's Redis broker rather than Celery's default.
from .celery import app as celery_app

__all__ = ["celery_app"]
