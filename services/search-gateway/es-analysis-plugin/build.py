#!/usr/bin/env python3
"""Build (and optionally install) dbay-analysis, the Elasticsearch stable plugin search-gateway needs.

    python3 services/search-gateway/es-analysis-plugin/build.py [--es-home DIR] [--install]

It compiles the Java sources in src/ with ``javac --release 17`` against the jars in the
distribution's lib/ (Elasticsearch's stable plugin API and Lucene's analysis-common, both shipped
there), and writes the plugin folder: the jar, ``stable-plugin-descriptor.properties`` (for the
distribution's exact version) and ``named_components.json`` (standard name -> class). ``--install``
copies that folder to ``<es-home>/plugins/dbay-analysis``; Elasticsearch loads it at its next start.
Why the plugin exists and what it provides: docs/search.md. Standard library only (it runs from
scripts/devstack before the virtualenv exists). Takes about two seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
NAME = "dbay-analysis"
PACKAGE = "org.dbay.analysis"

# Extensible interface of the stable plugin API -> {standard name: our class}.
NAMED_COMPONENTS = {
    "org.elasticsearch.plugin.analysis.AnalyzerFactory": {"english": "EnglishAnalyzerFactory"},
    "org.elasticsearch.plugin.analysis.TokenFilterFactory": {
        "stemmer": "StemmerTokenFilterFactory",
        "asciifolding": "AsciiFoldingTokenFilterFactory",
        "edge_ngram": "EdgeNGramTokenFilterFactory",
        "synonym_graph": "SynonymGraphTokenFilterFactory",
    },
}


def default_es_home() -> Path | None:
    if os.environ.get("ES_HOME"):
        return Path(os.environ["ES_HOME"])
    found = sorted((ROOT / ".devstack" / "opt").glob("elasticsearch-*"))
    return found[-1] if found else None


def es_version(es_home: Path) -> str:
    for jar in (es_home / "lib").glob("elasticsearch-[0-9]*.jar"):
        match = re.fullmatch(r"elasticsearch-(\d+\.\d+\.\d+)\.jar", jar.name)
        if match:
            return match.group(1)
    raise SystemExit(f"build.py: no elasticsearch-<version>.jar in {es_home / 'lib'}")


def build(es_home: Path, out_dir: Path) -> Path:
    """Compile and write the plugin folder under ``out_dir``; return that folder."""
    javac = shutil.which("javac")
    if javac is None:
        raise SystemExit("build.py: javac not found (Debian: apt-get install openjdk-17-jdk-headless)")
    version = es_version(es_home)
    classpath = os.pathsep.join(str(jar) for jar in sorted((es_home / "lib").glob("*.jar")))
    sources = sorted(str(path) for path in (HERE / "src").rglob("*.java"))
    plugin_dir = out_dir / NAME
    with tempfile.TemporaryDirectory() as classes:
        subprocess.run(  # noqa: S603 - javac with our own sources, no shell
            [javac, "--release", "17", "-nowarn", "-cp", classpath, "-d", classes, *sources], check=True
        )
        if plugin_dir.exists():
            shutil.rmtree(plugin_dir)
        plugin_dir.mkdir(parents=True)
        with zipfile.ZipFile(plugin_dir / f"{NAME}.jar", "w", zipfile.ZIP_DEFLATED) as jar:
            jar.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\n\r\n")
            for path in sorted(Path(classes).rglob("*.class")):
                jar.write(path, path.relative_to(classes).as_posix())
    components = {
        interface: {name: f"{PACKAGE}.{cls}" for name, cls in names.items()}
        for interface, names in NAMED_COMPONENTS.items()
    }
    (plugin_dir / "named_components.json").write_text(json.dumps(components, indent=2) + "\n")
    (plugin_dir / "stable-plugin-descriptor.properties").write_text(
        "\n".join(
            [
                f"name={NAME}",
                "description=Lucene's English stemming, ASCII folding, edge n-grams and synonym graph "
                "under Elasticsearch's standard names (dBay search-gateway)",
                "version=1.0.0",
                f"elasticsearch.version={version}",
                "java.version=17",
                "",
            ]
        )
    )
    return plugin_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--es-home", type=Path, default=default_es_home(), help="the Elasticsearch distribution"
    )
    parser.add_argument("--out", type=Path, default=HERE / "build", help="where to write the plugin folder")
    parser.add_argument("--install", action="store_true", help="copy the plugin into <es-home>/plugins/")
    parser.add_argument(
        "--if-stale",
        action="store_true",
        help="with --install: do nothing when the installed plugin is newer than the sources",
    )
    args = parser.parse_args(argv)
    if args.es_home is None or not (args.es_home / "lib").is_dir():
        raise SystemExit("build.py: no Elasticsearch distribution found; pass --es-home or set ES_HOME")
    installed_jar = args.es_home / "plugins" / NAME / f"{NAME}.jar"
    if args.install and args.if_stale and installed_jar.exists():
        newest_source = max(
            path.stat().st_mtime for path in [Path(__file__), *(HERE / "src").rglob("*.java")]
        )
        if installed_jar.stat().st_mtime >= newest_source:
            print(f"{NAME}: installed and up to date")
            return 0
    plugin_dir = build(args.es_home, args.out)
    print(f"built {plugin_dir}")
    if args.install:
        target = args.es_home / "plugins" / NAME
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(plugin_dir, target)
        print(f"installed {target} (Elasticsearch loads it at its next start)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
