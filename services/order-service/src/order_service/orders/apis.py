"""Public HTTP API of order-service: thin views that parse input, call one function, render output."""
