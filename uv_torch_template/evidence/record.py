"""Record what an index serves into the evidence store, file by file.

PyPI (`record_pypi`): every file of the releases the catalog can speak of, with its sha256,
upload time and Requires-Python as listed, and one METADATA per (version, lock platform) as
served. The evidence is written as it was seen; nothing is derived from catalog.yml except
which versions are worth reading.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from packaging.utils import InvalidWheelFilename, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from .pypi import PYPI_SIMPLE, PyPI
from .store import EVIDENCE_ROOT, lock_platform_of

# project -> the oldest version the catalog's releases (2.6 onwards) can involve.
PYPI_PROJECTS: dict[str, str] = {
    "torch": "2.6.0",
    "torchvision": "0.21.0",
    "torchaudio": "2.6.0",
    "triton": "3.2.0",
    "pytorch-triton-rocm": "0",
    "triton-rocm": "0",
    "pytorch-triton-xpu": "0",
    "triton-xpu": "0",
    "rocm": "0",
    "rocm-sdk-core": "0",
    "rocm-sdk-libraries": "0",
}
# Prefer one wheel per (version, platform) whose METADATA stands for the rest: CPython 3.12
# (every release has it), then any; never a build-tagged re-upload (torch-2.10.0-3-...).
PREFERRED_PYTHON = ("cp312", "py3")


def version_of(filename: str) -> tuple[Version, tuple[Any, ...], frozenset[Any]] | None:
    try:
        if filename.endswith(".whl"):
            _name, version, build, tags = parse_wheel_filename(filename)
            return version, build, tags
        stem = filename.rsplit(".tar.gz", 1)[0].rsplit(".zip", 1)[0]
        return Version(stem.rsplit("-", 1)[1]), (), frozenset()
    except (InvalidWheelFilename, InvalidVersion, IndexError):
        return None


def _pick_per_platform(files: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    chosen: dict[str, dict[str, Any]] = {}
    for file in sorted(files, key=lambda f: f["filename"]):
        parsed = version_of(file["filename"])
        if parsed is None or parsed[1]:
            continue
        platforms = {lock_platform_of(tag.platform) for tag in parsed[2]} - {None}
        pythons = {tag.interpreter for tag in parsed[2]}
        for platform in platforms:
            better = bool(pythons & set(PREFERRED_PYTHON))
            if platform not in chosen or (better and not chosen[platform]["_preferred"]):
                chosen[platform] = {**file, "_preferred": better}
    return chosen


def record_project(pypi: PyPI, project: str, oldest: str) -> dict[str, Any]:
    floor = Version(oldest)
    files = [
        f
        for f in pypi.files(project)
        if (parsed := version_of(f["filename"])) is not None
        and parsed[0] >= floor
        and not parsed[0].is_devrelease
    ]
    by_version: dict[str, list[dict[str, Any]]] = {}
    for file in files:
        by_version.setdefault(str(version_of(file["filename"])[0]), []).append(file)
    releases: dict[str, Any] = {}
    jobs: list[tuple[str, str, dict[str, Any]]] = []
    for version, version_files in sorted(by_version.items(), key=lambda item: Version(item[0])):
        releases[version] = {
            "files": [
                {
                    "filename": f["filename"],
                    "sha256": f["hashes"].get("sha256"),
                    "upload_time": f.get("upload-time"),
                    "requires_python": f.get("requires-python"),
                    "url": f["url"],
                }
                for f in sorted(version_files, key=lambda f: f["filename"])
            ],
            "metadata": {},
        }
        for platform, file in _pick_per_platform(version_files).items():
            jobs.append((version, platform, file))
        if not any(f["filename"].endswith(".whl") for f in version_files):
            sdist = version_files[0]
            releases[version]["metadata_note"] = f"sdist only ({sdist['filename']}): no wheel METADATA"
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda job: _metadata_record(pypi, job[2]), jobs))
    for (version, platform, _file), record in zip(jobs, results, strict=True):
        if record is not None:
            releases[version]["metadata"][platform] = record
    return {"project": project, "releases": releases}


def _metadata_record(pypi: PyPI, file: dict[str, Any]) -> dict[str, Any] | None:
    try:
        metadata = pypi.metadata(file)
    except Exception as error:  # one unreadable wheel is recorded as such, not fatal
        return {"read_from": file["filename"], "error": str(error)}
    return None if metadata is None else {"read_from": file["filename"], **metadata.as_record()}


def write_records(
    records: dict[str, dict[str, Any]], base_url: str = PYPI_SIMPLE, out: Path = EVIDENCE_ROOT / "pypi"
) -> list[Path]:
    """Write project records (as record_project returns them) into the store, dated today."""
    out.mkdir(parents=True, exist_ok=True)
    seen = datetime.now(UTC).strftime("%Y-%m-%d")
    written = []
    for project, record in records.items():
        if not record["releases"]:
            continue  # a project the index does not have: nothing seen, nothing to keep
        source = f"{base_url.rstrip('/')}/{project}/ (PEP 691 JSON) and each wheel's METADATA"
        path = out / f"{project}.json"
        path.write_text(
            json.dumps({"source": source, "read": seen, **record}, indent=1) + "\n", encoding="utf-8"
        )
        written.append(path)
    return written


def record_pypi(
    out: Path = EVIDENCE_ROOT / "pypi",
    base_url: str = PYPI_SIMPLE,
    projects: dict[str, str] | None = None,
    log: Callable[[str], None] = print,
) -> list[Path]:
    pypi = PyPI(base_url)
    records = {p: record_project(pypi, p, oldest) for p, oldest in (projects or PYPI_PROJECTS).items()}
    written = write_records(records, base_url, out)
    for path in written:
        log(f"{path}: {len(records[path.stem]['releases'])} versions")
    return written
