#!/usr/bin/env python3
"""Keep docs/event-catalog.md in step with the event schemas the services register.

    uv run python scripts/event_catalog.py            rewrite every field table from the schemas
    uv run python scripts/event_catalog.py --check    exit 1 when the catalog and the code disagree

The schemas are the source of truth: every payload model a service registers with
``dbay_common.events.register_event`` is collected (each service in its own subprocess, with Django
set up for Django services, every ``events`` module of its package imported). The catalog must have
exactly one section per registered ``(detail-type, version)``, headed ``### `<detail-type>` (version
<n>)``, and none for an event that is not registered. Each section's field table is generated: one
row per field with its JSON type and whether it may be null; the last column, the human note, is
kept by field name when the table is rewritten. Each section's JSON example must be an event of that
type and version, from the producing service's ``source``, whose ``data`` the registered model
accepts (no unknown field, no required one missing). ``--check`` regenerates in memory and fails on
any difference, like scripts/openapi.py.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "docs" / "event-catalog.md"
SERVICES_DIR = ROOT / "services"
REGENERATE_HINT = "uv run python scripts/event_catalog.py"

SECTION_RE = re.compile(r"^### `(?P<detail_type>[a-z0-9_.]+)` \(version (?P<version>\d+)\)\s*$")
TABLE_HEADER = "| field | type | |"
TABLE_RULE = "|---|---|---|"

# Runs inside one service's environment and prints its registered events as JSON.
_COLLECT = r"""
import importlib, json, os, pkgutil, sys
package, is_django, name = sys.argv[1], sys.argv[2] == "1", sys.argv[3]
if is_django:
    os.environ["DJANGO_SETTINGS_MODULE"] = f"{package}.settings"
    import django
    django.setup()
    from django.conf import settings
    source = settings.DBAY_EVENT_SOURCE
else:
    source = "dbay." + name.removesuffix("-service")
root = importlib.import_module(package)
for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
    if info.name.rsplit(".", 1)[-1] == "events":
        module = importlib.import_module(info.name)
        source = getattr(module, "EVENT_SOURCE", source)
from dbay_common.events.schemas import registered_events
found = []
for (detail_type, version), model in sorted(registered_events().items()):
    if model.__module__.split(".")[0] == package:
        found.append({"detail_type": detail_type, "version": version, "source": source,
                      "model": f"{model.__module__}.{model.__qualname__}",
                      "schema": model.model_json_schema(mode="serialization")})
print(json.dumps(found))
"""


@dataclass(frozen=True)
class Registered:
    service: str
    detail_type: str
    version: int
    source: str
    model: str
    schema: dict[str, Any]

    @property
    def key(self) -> tuple[str, int]:
        return self.detail_type, self.version


def collect() -> dict[tuple[str, int], Registered]:
    """Every registered event of every service, keyed by (detail-type, version)."""
    found: dict[tuple[str, int], Registered] = {}
    for pyproject in sorted(SERVICES_DIR.glob("*/pyproject.toml")):
        name = tomllib.loads(pyproject.read_text())["project"]["name"]
        package = name.replace("-", "_")
        is_django = (pyproject.parent / "src" / package / "settings.py").is_file()
        env = {**os.environ, "DBAY_ENV": "development"}
        result = subprocess.run(
            [sys.executable, "-c", _COLLECT, package, "1" if is_django else "0", name],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            check=False,
        )
        if result.returncode != 0:
            raise SystemExit(f"event_catalog: collecting {name}'s events failed:\n{result.stderr}")
        for item in json.loads(result.stdout.strip().splitlines()[-1]):
            event = Registered(service=name, **item)
            if event.key in found:
                raise SystemExit(
                    f"event_catalog: {event.key} is registered by {found[event.key].service} and {name}"
                )
            found[event.key] = event
    return found


def type_text(prop: dict[str, Any]) -> str:
    """A field's JSON type in the catalog's words: ``string (UUID)``, ``array of string``, ``… or null``."""
    if "anyOf" in prop:
        options = [option for option in prop["anyOf"] if option.get("type") != "null"]
        nullable = len(options) < len(prop["anyOf"])
        text = " or ".join(type_text(option) for option in options)
        return f"{text} or null" if nullable else text
    if "enum" in prop:
        return "string: " + ", ".join(f"`{value}`" for value in prop["enum"])
    kind = prop.get("type", "object")
    if kind == "array":
        return f"array of {type_text(prop.get('items', {}))}"
    if kind == "string":
        if prop.get("pattern") == "^[0-9]+$":
            return "string (koinu)"
        if "format" in prop:
            return {"uuid": "string (UUID)"}.get(prop["format"], f"string ({prop['format']})")
    return str(kind)


def existing_notes(lines: list[str]) -> dict[str, str]:
    """Field name → note, from a table's rows (a row may name several fields: `a`, `b`)."""
    notes: dict[str, str] = {}
    for line in lines:
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 3 or cells[0] in {"field", "---"}:
            continue
        for name in re.findall(r"`([^`]+)`", cells[0]):
            notes.setdefault(name, cells[2])
    return notes


def render_table(event: Registered, notes: dict[str, str]) -> list[str]:
    schema = event.schema
    rows = [TABLE_HEADER, TABLE_RULE]
    for field, prop in schema.get("properties", {}).items():
        required = field in schema.get("required", [])
        kind = type_text(prop) + ("" if required else ", optional")
        rows.append(f"| `{field}` | {kind} | {notes.get(field, '')} |".replace(" |  |", " | |"))
    return rows


def check_example(event: Registered, block: str) -> list[str]:
    """Problems with a section's JSON example (empty when it is a valid event of this type)."""
    try:
        example = json.loads(block)
    except json.JSONDecodeError as error:
        return [f"its JSON example does not parse: {error}"]
    problems = []
    if example.get("detail-type") != event.detail_type:
        problems.append(f"its example's detail-type is {example.get('detail-type')!r}")
    if example.get("source") != event.source:
        problems.append(
            f"its example's source is {example.get('source')!r}, the producer's is {event.source!r}"
        )
    metadata = example.get("detail", {}).get("metadata", {})
    if metadata.get("version") != event.version:
        problems.append(f"its example's version is {metadata.get('version')!r}")
    data = example.get("detail", {}).get("data")
    properties = set(event.schema.get("properties", {}))
    required = set(event.schema.get("required", []))
    if not isinstance(data, dict):
        return [*problems, "its example has no detail.data object"]
    if unknown := sorted(set(data) - properties):
        problems.append(f"its example's data has fields the schema does not: {', '.join(unknown)}")
    if missing := sorted(required - set(data)):
        problems.append(f"its example's data lacks required fields: {', '.join(missing)}")
    return problems


def regenerate(text: str, registered: dict[tuple[str, int], Registered]) -> tuple[str, list[str]]:
    """The catalog with every field table regenerated, and the problems a rewrite cannot fix."""
    lines = text.splitlines()
    out: list[str] = []
    problems: list[str] = []
    seen: set[tuple[str, int]] = set()
    earlier_notes: dict[str, str] = {}
    index = 0
    current: Registered | None = None
    while index < len(lines):
        line = lines[index]
        match = SECTION_RE.match(line)
        if match:
            key = (match["detail_type"], int(match["version"]))
            current = registered.get(key)
            if current is None:
                problems.append(f"`{key[0]}` (version {key[1]}) has a section but no service registers it")
            elif key in seen:
                problems.append(f"`{key[0]}` (version {key[1]}) has two sections")
            seen.add(key)
            out.append(line)
            index += 1
            continue
        if line.startswith("## "):
            current = None
        if current is not None and line.strip() == TABLE_HEADER:
            end = index
            while end < len(lines) and lines[end].startswith("|"):
                end += 1
            notes = existing_notes(lines[index:end])
            # "as above" is resolved to the note the same field has in an earlier section.
            notes = {
                name: earlier_notes.get(name, "") if note == "as above" else note
                for name, note in notes.items()
            }
            for name, note in notes.items():
                if note:
                    earlier_notes.setdefault(name, note)
            out.extend(render_table(current, notes))
            index = end
            continue
        if current is not None and line.strip() == "```json":
            end = index + 1
            while end < len(lines) and lines[end].strip() != "```":
                end += 1
            for problem in check_example(current, "\n".join(lines[index + 1 : end])):
                problems.append(f"`{current.detail_type}` (version {current.version}): {problem}")
            out.extend(lines[index : end + 1])
            index = end + 1
            continue
        out.append(line)
        index += 1
    for key in sorted(set(registered) - seen):
        event = registered[key]
        problems.append(
            f"`{key[0]}` (version {key[1]}) is registered by {event.service} ({event.model}) but the catalog "
            "has no section for it: add `### `<type>` (version <n>)` with a description, the line "
            f"'{TABLE_HEADER}' and a JSON example, then run {REGENERATE_HINT}"
        )
    for key in sorted(seen & set(registered)):
        body = _section_body(out, key)
        if TABLE_HEADER not in body:
            problems.append(f"`{key[0]}` (version {key[1]}) has no field table ('{TABLE_HEADER}')")
        if "```json" not in body:
            problems.append(f"`{key[0]}` (version {key[1]}) has no JSON example")
    return "\n".join(out) + ("\n" if text.endswith("\n") else ""), problems


def _section_body(lines: list[str], key: tuple[str, int]) -> str:
    heading = f"### `{key[0]}` (version {key[1]})"
    start = next(i for i, line in enumerate(lines) if line.strip() == heading)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith(("### ", "## "))), len(lines))
    return "\n".join(line.strip() for line in lines[start:end])


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="fail when the catalog differs from the schemas")
    args = parser.parse_args()
    registered = collect()
    current = CATALOG.read_text()
    regenerated, problems = regenerate(current, registered)
    for problem in problems:
        print(f"event-catalog: {problem}", file=sys.stderr)
    if args.check:
        if regenerated != current:
            diff = difflib.unified_diff(
                current.splitlines(),
                regenerated.splitlines(),
                "docs/event-catalog.md",
                "from the schemas",
                lineterm="",
            )
            print("\n".join(diff), file=sys.stderr)
            print(f"event-catalog: field tables are stale; run {REGENERATE_HINT}", file=sys.stderr)
            return 1
        if problems:
            return 1
        print(f"event-catalog: {len(registered)} events match docs/event-catalog.md")
        return 0
    CATALOG.write_text(regenerated)
    print(
        f"event-catalog: wrote {len(registered)} field tables"
        + (f"; {len(problems)} problems" if problems else "")
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
