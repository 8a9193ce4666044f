"""Celery entry points for user-service. Each task only parses its arguments and calls a service."""
