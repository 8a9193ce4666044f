"""Public HTTP API of user-service: thin views that parse input, call one function, render output.

One module per area, routed in ``accounts/urls.py``: ``registration``, ``sign_in``, ``passwords``,
``me`` (the signed-in member: profile, password change, sessions), ``two_factor``, ``public``
(seller profiles, JWKS); what they share is in ``common``. The rules on input content are the
services' (``accounts/policy.py``); serializers check only its shape.
"""
