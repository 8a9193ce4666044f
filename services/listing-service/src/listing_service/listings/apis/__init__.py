"""Public HTTP API of listing-service (thin views; the rules are in services.py and policy.py)."""
