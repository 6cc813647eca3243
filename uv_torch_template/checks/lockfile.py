"""Read a uv.lock the way `uv sync` would: what does one extra install on one platform?

The tests assert on what the resolver chose, per platform, from the lock itself (as uv's own
tests do), not on what the rendered pyproject.toml hoped for.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.markers import Marker
from packaging.utils import canonicalize_name

from uv_torch_template.catalog import load

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

PYPI = "https://pypi.org/simple"


@dataclass(frozen=True)
class Resolved:
    """One package as the lock installs it."""

    name: str
    version: str
    source: str  # the registry URL (an index), or the kind of source for anything else

    @property
    def local_label(self) -> str | None:
        return self.version.split("+", 1)[1] if "+" in self.version else None

    @property
    def from_pypi(self) -> bool:
        return self.source == PYPI


def marker_environment(platform: str, python: str) -> dict[str, str]:
    env = {
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "python_version": python,
        "python_full_version": f"{python}.0",
        "platform_release": "",
        "platform_version": "",
    }
    env.update(load().platforms[platform].marker_environment)
    return env


def _source_of(package: dict[str, Any]) -> str:
    source = package.get("source", {})
    if "registry" in source:
        return source["registry"].rstrip("/")
    return next(iter(source), "unknown")


class Lock:
    def __init__(self, data: dict[str, Any]):
        self.packages: list[dict[str, Any]] = data.get("package", [])
        self.root = next(
            p
            for p in self.packages
            if p.get("source", {}).get("editable") == "." or p.get("source", {}).get("virtual") == "."
        )

    @classmethod
    def load(cls, path: Path) -> Lock:
        return cls(tomllib.loads(path.read_text(encoding="utf-8")))

    @property
    def project(self) -> str:
        return self.root["name"]

    def _find(self, dep: dict[str, Any]) -> dict[str, Any]:
        """The package entry a dependency entry points to (uv names version/source only when ambiguous)."""
        name = canonicalize_name(dep["name"])
        candidates = [p for p in self.packages if canonicalize_name(p["name"]) == name]
        if "version" in dep:
            candidates = [p for p in candidates if p.get("version") == dep["version"]]
        if "source" in dep:
            candidates = [p for p in candidates if p.get("source") == dep["source"]]
        if len(candidates) != 1:
            raise LookupError(f"{dep} matches {len(candidates)} packages in the lock")
        return candidates[0]

    def _applies(self, dep: dict[str, Any], env: dict[str, str]) -> bool:
        marker = dep.get("marker")
        return marker is None or Marker(marker).evaluate(env)

    def installed(self, extra: str | None, platform: str, python: str) -> dict[str, Resolved]:
        """Everything `uv sync [--extra EXTRA] --no-dev` installs on `platform` with `python`."""
        env = marker_environment(platform, python)
        # uv writes conflicting extras into markers as `extra == 'extra-<len>-<project>-<extra>'`.
        if extra is not None:
            env["extra"] = f"extra-{len(self.project)}-{self.project}-{extra}"
        roots = list(self.root.get("dependencies", []))
        if extra is not None:
            roots += self.root.get("optional-dependencies", {}).get(extra, [])
        result: dict[str, Resolved] = {}
        pending = [dep for dep in roots if self._applies(dep, env)]
        seen: set[tuple[str, str]] = set()
        while pending:
            dep = pending.pop()
            package = self._find(dep)
            key = (package["name"], package.get("version", ""))
            extras = tuple(dep.get("extra", ()))
            if (key, extras) in seen:
                continue
            seen.add((key, extras))
            name = canonicalize_name(package["name"])
            previous = result.get(name)
            resolved = Resolved(name=name, version=package.get("version", ""), source=_source_of(package))
            if previous is not None and previous != resolved:
                raise AssertionError(f"{name} resolves twice on {platform}: {previous} and {resolved}")
            result[name] = resolved
            children = list(package.get("dependencies", []))
            for wanted in extras:
                children += package.get("optional-dependencies", {}).get(wanted, [])
            pending += [child for child in children if self._applies(child, env)]
        return result
