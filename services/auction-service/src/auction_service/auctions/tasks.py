"""Celery entry points for auction-service. Each task only parses its arguments and calls a service."""
