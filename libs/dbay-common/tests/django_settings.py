"""Django settings for the dbay-common test suite: the real ``common_settings`` plus a test app.

``common_settings`` gives the test database a name unique per process, so two people (or CI jobs)
running this suite against the same PostgreSQL never recreate each other's database mid-run.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from dbay_common.django.conf import common_settings

globals().update(
    common_settings(
        # The lib's own distribution name, so the API index can report an installed version.
        service="dbay-common",
        base_dir=Path(__file__).resolve().parent,
        root_urlconf="tests.django_urls",
        api_prefix="api/v1/test/",
        installed_apps=["tests.testapp"],
        database_name="dbay_common_tests",
        redis_db=9,
    )
)

if importlib.util.find_spec("dbay_common.django.outbox") is None:  # written in parallel; may be absent
    INSTALLED_APPS.remove("dbay_common.django.outbox")  # type: ignore[name-defined]  # noqa: F821
