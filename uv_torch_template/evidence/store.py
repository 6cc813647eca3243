"""Read the evidence store: evidence/pypi/<project>.json and evidence/indexes.yml."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from uv_torch_template.catalog import REPO_ROOT

EVIDENCE_ROOT = REPO_ROOT / "evidence"

# Wheel platform tags -> the catalog's lock platforms.
_PLATFORM_TAGS = (
    (re.compile(r"^(many)?linux(_\d+_\d+|\d+|2014)?_x86_64$"), "linux-x86_64"),
    (re.compile(r"^(many)?linux(_\d+_\d+|\d+|2014)?_aarch64$"), "linux-aarch64"),
    (re.compile(r"^macosx_\d+_\d+_arm64$"), "macos-arm64"),
    (re.compile(r"^win_amd64$"), "windows-x86_64"),
)


def lock_platform_of(tag: str) -> str | None:
    for pattern, platform in _PLATFORM_TAGS:
        if pattern.match(tag):
            return platform
    return None


@cache
def pypi_record(project: str, root: Path = EVIDENCE_ROOT) -> dict[str, Any]:
    """The recorded PyPI listing and METADATA of one project ({} when not recorded)."""
    path = root / "pypi" / f"{project}.json"
    if not path.exists():
        return {"project": project, "releases": {}}
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def index_record(root: Path = EVIDENCE_ROOT) -> dict[str, Any]:
    """What the PyTorch indexes were seen to serve (evidence/indexes.yml)."""
    return yaml.safe_load((root / "indexes.yml").read_text(encoding="utf-8"))


def pypi_metadata(
    project: str, version: str, platform: str, root: Path = EVIDENCE_ROOT
) -> dict[str, Any] | None:
    """PyPI's METADATA of a version as served on a lock platform (None: not recorded there)."""
    release = pypi_record(project, root)["releases"].get(version)
    if release is None:
        return None
    record = release["metadata"].get(platform)
    return None if record is None or "error" in record else record


def pypi_python_tags(
    project: str, version: str, platform: str, root: Path = EVIDENCE_ROOT
) -> list[str] | None:
    """interpreter-abi tags of PyPI's wheels of a version on a lock platform, in file order
    (build-tagged re-uploads left out); None where PyPI has no wheel there."""
    release = pypi_record(project, root)["releases"].get(version)
    if release is None:
        return None
    tags = []
    for file in release["files"]:
        parts = file["filename"].removesuffix(".whl").split("-")
        if len(parts) != 5:  # name-version-python-abi-platform; 6 parts carry a build tag
            continue
        python, abi, platforms = parts[2:]
        if platform in {lock_platform_of(p) for p in platforms.split(".")}:
            tags.append(f"{python}-{abi}")
    return tags or None


@cache
def index_files(root: Path = EVIDENCE_ROOT) -> list[dict[str, Any]]:
    """Every file a PyTorch index was seen to serve: indexes.yml's second-hand sightings and what
    `nox -s evidence -- --index-url` recorded from an index itself (evidence/indexes/<index>.json)."""
    files = list(index_record(root).get("files", []))
    for path in sorted((root / "indexes").glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        for project in record["projects"].values():
            for file in project["files"]:
                files.append(
                    {
                        "index": record["index"],
                        "file": file["file"],
                        "sha256": file.get("sha256"),
                        "source": f"index: {record['source']} (read {record['read']})",
                    }
                )
    return files


def recorded_files(index: str | None, project: str, version: str) -> list[str]:
    """File names the PyTorch index `index` was seen to serve for a public version (any label)."""
    names = []
    for entry in index_files():
        name = entry["file"]
        stem = name.split("-")
        if (
            entry["index"] == index
            and stem[0] == project.replace("-", "_")
            and stem[1].split("+")[0] == version
        ):
            names.append(name)
    return names


def recorded_metadata(index: str, project: str, version: str, platform: str) -> dict[str, Any] | None:
    """How an index's METADATA of one build on one platform was seen to differ from the rule."""
    for entry in index_record().get("metadata", []):
        if (entry["index"], entry["project"], entry["version"].split("+")[0], entry["platform"]) == (
            index,
            project,
            version,
            platform,
        ):
            return entry
    return None


def admits(project: str, version: str, torch: str, python: str) -> bool:
    """Whether PyPI's METADATA of `project` `version` lets it install with torch `torch` (public
    version) on Python `python` (the floor of a project); False where nothing was recorded."""
    record = pypi_metadata(project, version, "linux-x86_64")
    if record is None:
        return False
    if record["requires_python"] and not SpecifierSet(record["requires_python"]).contains(python + ".0"):
        return False
    for line in record["requires_dist"]:
        requirement = Requirement(line)
        if canonicalize_name(requirement.name) == "torch" and not requirement.marker:
            return requirement.specifier.contains(torch, prereleases=False)
    return True
