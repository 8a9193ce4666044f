"""Celery entry points for listing-service. Each task only parses its arguments and calls a service."""
