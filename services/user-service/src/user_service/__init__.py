"""user-service: users, sessions, profiles and ratings (PostgreSQL).

It issues the JWTs every other service verifies.
"""

# The Celery app is loaded with the package so that tasks queued from web requests (the outbox relay
# after commit) reach this service's Redis broker rather than Celery's default.
from .celery import app as celery_app

__all__ = ["celery_app"]
