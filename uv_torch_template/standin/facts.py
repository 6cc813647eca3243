"""Read facts.yml: what the catalog does not say about PyTorch's wheels (tags, METADATA).

Lookups that fall back from a specific key to `default` live here, so that dists.py reads as
"which wheels exist" and not as dictionary plumbing.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

FACTS_PATH = Path(__file__).resolve().parent / "facts.yml"


@cache
def load(path: Path = FACTS_PATH) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def by_release(table: dict[str, Any] | None, release: str) -> Any:
    """A per-release value with a `default` fallback (facts.yml keys releases as "2.13")."""
    if table is None:
        return None
    if not isinstance(table, dict):
        return table
    return table[release] if release in table else table.get("default")


def python_tags(facts: dict[str, Any], release: str, catalog_pythons: tuple[str, ...]) -> list[str]:
    """Interpreter-ABI tags of a release's Linux/Windows wheels: cp310-cp310 ... cp314-cp314t."""
    extra = facts["pythons"].get(release, {})
    regular = [*catalog_pythons, *extra.get("extra_python", [])]
    tags = [f"cp{_nodot(v)}-cp{_nodot(v)}" for v in regular]
    tags += [f"cp{_nodot(v)}-cp{_nodot(v)}t" for v in extra.get("free_threaded", [])]
    return sorted(tags, key=tag_order)


def platform_tag(facts: dict[str, Any], family: str, package: str, release: str, platform: str) -> str:
    """The platform tag of a labelled wheel, with the XPU-before-2.13 kind of exception applied."""
    for rule in facts.get("tag_overrides", []):
        families = rule["family"] if isinstance(rule["family"], list) else [rule["family"]]
        if (
            family in families
            and (rule["package"], rule["platform"]) == (package, platform)
            and (release in rule["releases"])
        ):
            return rule["tag"]
    return facts["platform_tags"][platform]


def macos_tags(facts: dict[str, Any], package: str, release: str) -> list[str]:
    try:
        return list(facts["macos_tags"][package][release])
    except KeyError:
        raise KeyError(f"facts.yml has no macOS tags for {package} {release}") from None


def torch_build(facts: dict[str, Any], backend: str, family: str, release: str) -> dict[str, Any]:
    """The accelerator lines of one build: keyed by backend (CUDA labels) or by family."""
    builds = facts["torch"]["builds"]
    table = builds.get(backend) or builds.get(family)
    if table is None:  # cpu: the base set is all there is
        return {"requires": []}
    entry = by_release(table, release)
    if entry is None:
        raise KeyError(f"facts.yml has no Requires-Dist for torch {release} on {backend}")
    return entry


def _nodot(version: str) -> str:
    return version.replace(".", "")


def tag_order(tag: str) -> tuple[int, bool]:
    interpreter, abi = tag.split("-")[:2]
    return int(interpreter[2:]), abi.endswith("t")
