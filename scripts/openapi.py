#!/usr/bin/env python3
"""Generate the services' OpenAPI documents into docs/api-contracts/, or check them for drift.

    uv run python scripts/openapi.py                      write every document
    uv run python scripts/openapi.py --check              exit 1 if any committed document is stale
    uv run python scripts/openapi.py --service wallet-service --check

Services are discovered from services/*/pyproject.toml. A service whose package has a
settings.py is a Django service: its document comes from drf-spectacular's `spectacular`
command (with --fail-on-warn and --validate). Any other service is a Flask service: its
document is flask-smorest's `api.spec.to_dict()` of `<package>.create_app()`.

Each document is produced in its own subprocess (DJANGO_SETTINGS_MODULE is process-global),
with DBAY_ENV=development so the output does not depend on the caller's environment, and is
written as YAML with sorted keys so the same code always gives the same bytes.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import json
import os
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SERVICES_DIR = ROOT / "services"
CONTRACTS_DIR = ROOT / "docs" / "api-contracts"
REGENERATE_HINT = "uv run python scripts/openapi.py"


@dataclass(frozen=True)
class Service:
    name: str
    package: str
    is_django: bool

    @property
    def contract_path(self) -> Path:
        return CONTRACTS_DIR / f"{self.name}.yaml"

    @property
    def internal_contract_path(self) -> Path:
        return CONTRACTS_DIR / "internal" / f"{self.name}.yaml"


def discover_services() -> list[Service]:
    services = []
    for pyproject in sorted(SERVICES_DIR.glob("*/pyproject.toml")):
        name = tomllib.loads(pyproject.read_text())["project"]["name"]
        package = name.replace("-", "_")
        is_django = (pyproject.parent / "src" / package / "settings.py").is_file()
        services.append(Service(name=name, package=package, is_django=is_django))
    return services


def render_yaml(document: dict) -> str:
    return yaml.safe_dump(document, sort_keys=True, default_flow_style=False, allow_unicode=True, width=100)


def generation_env(service: Service, audience: str = "public") -> dict[str, str]:
    env = dict(os.environ, DBAY_ENV="development", PYTHONHASHSEED="0", DBAY_OPENAPI_AUDIENCE=audience)
    if service.is_django:
        env["DJANGO_SETTINGS_MODULE"] = f"{service.package}.settings"
    return env


def generate(service: Service, audience: str = "public") -> dict:
    """The service's current OpenAPI document for ``audience``, built in a fresh interpreter."""
    if service.is_django:
        command = [
            sys.executable,
            "-m",
            "django",
            "spectacular",
            "--format",
            "openapi-json",
            "--fail-on-warn",
            "--validate",
        ]
    else:
        command = [sys.executable, str(Path(__file__).resolve()), "--emit-flask", service.package]
    result = subprocess.run(
        command,
        cwd=SERVICES_DIR / service.name,
        env=generation_env(service, audience),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(
            f"openapi: generating {service.name} failed (exit {result.returncode}):\n{result.stderr}"
        )
    return json.loads(result.stdout)


def emit_flask(package: str) -> None:
    """Subprocess mode: print `<package>.create_app()`'s OpenAPI document as JSON."""
    app = importlib.import_module(package).create_app()
    apis = app.extensions["flask-smorest"]["apis"]
    document = apis[""]["ext_obj"].spec.to_dict()
    json.dump(document, sys.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Write docs/api-contracts/<service>.yaml from each service's code, or check for drift.",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="compare with the committed documents instead of writing; exit 1 on drift",
    )
    parser.add_argument(
        "--service",
        action="append",
        metavar="NAME",
        help="only this service (repeatable); default: every service under services/",
    )
    parser.add_argument("--emit-flask", metavar="PACKAGE", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.emit_flask:
        emit_flask(args.emit_flask)
        return 0

    services = discover_services()
    if args.service:
        known = {service.name for service in services}
        unknown = sorted(set(args.service) - known)
        if unknown:
            parser.error(f"unknown service(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        services = [service for service in services if service.name in args.service]

    drifted = []
    for service in services:
        documents = [(service.name, service.contract_path, render_yaml(generate(service)))]
        if service.is_django:
            # Service-to-service routes have their own document (none: no file).
            internal = generate(service, "internal")
            documents.append(
                (
                    f"{service.name} (internal)",
                    service.internal_contract_path,
                    render_yaml(internal) if internal.get("paths") else "",
                )
            )
        for name, path, expected in documents:
            current = path.read_text() if path.exists() else ""
            if current == expected:
                print(f"openapi: {name}: up to date")
                continue
            if args.check:
                drifted.append(name)
                diff = difflib.unified_diff(
                    current.splitlines(keepends=True),
                    expected.splitlines(keepends=True),
                    fromfile=f"{path.relative_to(ROOT)} (committed)",
                    tofile=f"{name} (generated)",
                )
                sys.stdout.writelines(diff)
                print(f"openapi: {name}: DRIFT")
            elif expected:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(expected)
                print(f"openapi: {name}: wrote {path.relative_to(ROOT)}")
            else:
                path.unlink(missing_ok=True)
                print(f"openapi: {name}: no routes; removed {path.relative_to(ROOT)}")

    if drifted:
        print(
            f"openapi: the committed document(s) of {', '.join(drifted)} differ from the code; "
            f"regenerate with `{REGENERATE_HINT}` (from the repo root) and commit the result."
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
