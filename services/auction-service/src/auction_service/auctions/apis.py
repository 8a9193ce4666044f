"""Public HTTP API of auction-service: thin views that parse input, call one function, render output.

Views use nested `InputSerializer`/`OutputSerializer` classes, `dbay_common.drf.request_user_id` for
the caller (401 in the shared shape when there is none) and `KoinuField` for amounts; policy lives in
`services.py`. Register each view in `urls.py`, then run `uv run python scripts/openapi.py`.
"""
