"""Public HTTP API of auction-service: thin views that parse input, call one function, render output."""
