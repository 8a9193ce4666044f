"""Celery entry points for wallet-service. Each task only parses its arguments and calls a service."""
