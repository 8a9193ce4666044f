"""Public HTTP API of listing-service: thin views that parse input, call one function, render output."""
