"""Typed access to catalog.yml, the one description of PyTorch's wheel indexes.

copier.yml reads the same file through `!include`; this module is how the tests, the stand-in
index and the noxfile read it, so that none of them keeps a list of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

CATALOG_PATH = Path(__file__).resolve().parent.parent / "catalog.yml"


def release_key(release: str) -> tuple[int, ...]:
    """Order "2.9" before "2.10": releases compare as integer tuples, never as strings."""
    return tuple(int(part) for part in release.split("."))


def extra_name(backend: str) -> str:
    """The PEP 685 name of a backend's extra: `rocm7.2` -> `rocm7-2`."""
    return re.sub(r"[-_.]+", "-", backend).lower()


@dataclass(frozen=True)
class Platform:
    key: str
    title: str
    sys_platform: str
    platform_machine: str
    platform_system: str
    os_name: str
    github_runner: str | None
    gitlab_runner: str | None
    pypi_torch: str

    @property
    def marker(self) -> str:
        """The uv environment marker; includes/plan.jinja writes the same one for the template."""
        return f"sys_platform == '{self.sys_platform}' and platform_machine == '{self.platform_machine}'"

    @property
    def marker_environment(self) -> dict[str, str]:
        """The PEP 508 variables that tell this platform apart, to evaluate uv.lock's markers."""
        return {
            "sys_platform": self.sys_platform,
            "platform_machine": self.platform_machine,
            "platform_system": self.platform_system,
            "os_name": self.os_name,
        }


@dataclass(frozen=True)
class Companion:
    package: str
    version: str


@dataclass(frozen=True)
class Release:
    torch: str
    version: str
    torchvision: str | None
    torchaudio: str | None
    python: tuple[str, ...]
    released: str
    companions: dict[str, Companion]
    unverified: str | None
    retired: str | None = None

    def companion_version(self, package: str) -> str | None:
        """The paired release of torchvision / torchaudio, or None where there is none."""
        return {"torch": self.version, "torchvision": self.torchvision, "torchaudio": self.torchaudio}[
            package
        ]


@dataclass(frozen=True)
class Backend:
    name: str
    title: str
    family: str
    index: str
    label: str
    platforms: tuple[str, ...]
    torch: tuple[str, ...]
    unlabelled_on: tuple[str, ...]
    driver: dict[str, str] | None
    gpu_archs: tuple[str, ...]
    unverified: str | None

    @property
    def extra(self) -> str:
        return extra_name(self.name)

    def label_on(self, platform: str) -> str | None:
        """The local version label of this backend's wheels on a platform (None: unlabelled)."""
        return None if platform in self.unlabelled_on else self.label

    def carries(self, release: str) -> bool:
        return release in self.torch

    def releases_from(self, floor: str) -> list[str]:
        return [r for r in self.torch if release_key(r) >= release_key(floor)]  # retired ones included


@dataclass(frozen=True)
class Catalog:
    platforms: dict[str, Platform]
    python_versions: tuple[str, ...]
    releases: tuple[Release, ...]
    backends: dict[str, Backend]

    def release(self, torch: str) -> Release:
        for release in self.releases:
            if release.torch == torch:
                return release
        raise KeyError(f"torch {torch} is not in the catalog")

    @property
    def newest(self) -> Release:
        return self.releases[-1]

    def releases_from(self, floor: str) -> list[Release]:
        """Supported (not retired) releases at or above the floor."""
        return [r for r in self.releases if release_key(r.torch) >= release_key(floor) and not r.retired]


def _backend(name: str, raw: dict[str, Any]) -> Backend:
    return Backend(
        name=name,
        title=raw["title"],
        family=raw["family"],
        index=raw["index"],
        label=raw["label"],
        platforms=tuple(raw["platforms"]),
        torch=tuple(raw["torch"]),
        unlabelled_on=tuple(raw.get("unlabelled_on", ())),
        driver=raw.get("driver"),
        gpu_archs=tuple(raw.get("gpu_archs", ())),
        unverified=raw.get("unverified"),
    )


def _release(raw: dict[str, Any]) -> Release:
    return Release(
        torch=raw["torch"],
        version=str(raw["version"]),
        torchvision=None if raw["torchvision"] is None else str(raw["torchvision"]),
        torchaudio=None if raw["torchaudio"] is None else str(raw["torchaudio"]),
        python=tuple(raw["python"]),
        released=raw["released"],
        companions={
            family: Companion(package=c["package"], version=str(c["version"]))
            for family, c in raw.get("companions", {}).items()
        },
        unverified=raw.get("unverified"),
        retired=raw.get("retired"),
    )


def parse(raw: dict[str, Any]) -> Catalog:
    return Catalog(
        platforms={key: Platform(key=key, **value) for key, value in raw["platforms"].items()},
        python_versions=tuple(raw["python_versions"]),
        releases=tuple(_release(r) for r in raw["releases"]),
        backends={name: _backend(name, value) for name, value in raw["backends"].items()},
    )


def load_raw(path: Path = CATALOG_PATH) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@cache
def load(path: Path = CATALOG_PATH) -> Catalog:
    return parse(load_raw(path))
