"""Swagger UI's files, shipped by ``drf-spectacular-sidecar`` and served by each service itself.

Not from a CDN: many deployments (and our CI machines) cannot reach one, and a docs page that loads
scripts from a third party is one more thing to trust. Both frameworks serve the files under the
service's public path, so the page also works behind the gateway, which routes nothing else.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = ["SWAGGER_UI_DIST", "SWAGGER_UI_FILES"]

#: The folder holding ``swagger-ui.css``, ``swagger-ui-bundle.js``, ``favicon-32x32.png``...
SWAGGER_UI_DIST = Path(
    str(files("drf_spectacular_sidecar")), "static/drf_spectacular_sidecar/swagger-ui-dist"
)

#: The only names the asset views serve: a fixed list, so a request cannot name any other file.
SWAGGER_UI_FILES = frozenset(path.name for path in SWAGGER_UI_DIST.iterdir() if path.is_file())
