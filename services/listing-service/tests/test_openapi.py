import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def test_committed_openapi_document_matches_the_code():
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "openapi.py"), "--check", "--service", "listing-service"],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, (
        "docs/api-contracts/listing-service.yaml is out of date; regenerate it with "
        "`uv run python scripts/openapi.py --service listing-service` from the repo root.\n"
        + result.stdout
        + result.stderr
    )
