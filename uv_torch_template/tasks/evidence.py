"""`nox -s evidence`: record what an index serves into the evidence store, file by file.

    python -m uv_torch_template.tasks.evidence --pypi [SIMPLE_URL]
        evidence/pypi/<project>.json: PyPI's files (sha256, upload time, Requires-Python) and
        one METADATA per version and lock platform
    python -m uv_torch_template.tasks.evidence --index-url https://download.pytorch.org/whl [--backend cu130]
        evidence/indexes/<index>.json: every torch/torchvision/torchaudio/companion/index-only
        file a PyTorch index (or a mirror) lists, and one METADATA per version and platform

The stand-in serves the file names recorded here, and tests/test_evidence.py judges the catalog
against them; a maintainer with access to the real indexes runs this and commits the result.
"""

from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from uv_torch_template.catalog import Catalog, load
from uv_torch_template.checks.survey import COMPANION_PROJECTS, File, Reader
from uv_torch_template.evidence.pypi import PYPI_SIMPLE
from uv_torch_template.evidence.record import record_pypi
from uv_torch_template.evidence.store import EVIDENCE_ROOT
from uv_torch_template.tasks.sessions import Unreachable, check_reachable

TORCH_PROJECTS = ("torch", "torchvision", "torchaudio")


def _file_record(file: File) -> dict[str, Any]:
    return {
        "file": file.filename,
        "url": file.package.url,
        "sha256": (file.package.digests or {}).get("sha256"),
        "upload_time": file.upload_time.isoformat() if file.upload_time else None,
        "requires_python": file.package.requires_python,
        "platforms": sorted(file.platforms),
    }


def record_index(
    reader: Reader, catalog: Catalog, name: str, projects: list[str] | None = None
) -> dict[str, Any]:
    """One backend's index: its files per project and one Requires-Dist per version x platform
    (projects: default the torch family, the triton companions and the index-only family)."""
    backend = catalog.backends[name]
    if projects is None:
        projects = [*TORCH_PROJECTS, *COMPANION_PROJECTS]
        if backend.index_only:
            projects += list(backend.index_only.packages)
    record: dict[str, Any] = {"index": backend.index, "projects": {}}
    for project in projects:
        files = reader.project(backend.index, project)
        if not files:
            continue
        one_per: dict[tuple[str, str], File] = {}
        for file in files:
            for platform in sorted(file.platforms):
                one_per.setdefault((str(file.version), platform), file)
        with ThreadPoolExecutor(max_workers=8) as pool:
            requires = list(pool.map(reader.requires, one_per.values()))
        record["projects"][project] = {
            "files": [_file_record(f) for f in files],
            "requires_dist": {
                f"{version} {platform}": {
                    "read_from": file.filename,
                    "requires_dist": [str(r) for r in found],
                }
                for ((version, platform), file), found in zip(one_per.items(), requires, strict=True)
                if found is not None
            },
        }
    return record


def write_index_records(
    index_url: str, backend: str | None = None, out: Path = EVIDENCE_ROOT / "indexes"
) -> list[Path]:
    catalog = load()
    reader = Reader(index_url)
    out.mkdir(parents=True, exist_ok=True)
    seen = datetime.now(UTC).strftime("%Y-%m-%d")
    written = []
    for name in [backend] if backend else list(catalog.backends):
        record = record_index(reader, catalog, name)
        if not record["projects"]:
            print(f"{name}: the index lists no torch files at {index_url}", file=sys.stderr)
            continue
        path = out / f"{catalog.backends[name].index}.json"
        source = f"{index_url.rstrip('/')}/{catalog.backends[name].index}/ (PEP 503 pages, PEP 658 metadata)"
        path.write_text(
            json.dumps({"source": source, "read": seen, **record}, indent=1) + "\n", encoding="utf-8"
        )
        count = sum(len(p["files"]) for p in record["projects"].values())
        print(f"{path}: {count} files")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m uv_torch_template.tasks.evidence")
    parser.add_argument("--pypi", nargs="?", const=PYPI_SIMPLE, metavar="SIMPLE_URL", help="record PyPI")
    parser.add_argument("--index-url", help="record a PyTorch index (or a mirror) at this base URL")
    parser.add_argument("--backend", help="only this backend's index")
    args = parser.parse_args(argv)
    if not args.pypi and not args.index_url:
        parser.error("say what to record: --pypi and/or --index-url <base>")
    if args.pypi:
        record_pypi(base_url=args.pypi)
    if args.index_url:
        try:
            check_reachable(args.index_url)
        except Unreachable as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        return 0 if write_index_records(args.index_url, args.backend) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
