"""Typed access to catalog.yml, the one description of PyTorch's wheel indexes.

copier.yml reads the same file through `!include`; this module is how the tests, the stand-in
index and the noxfile read it, so that none of them keeps a list of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

# The package lives in uv_torch_template/catalog/; catalog.yml at the repository root.
REPO_ROOT = Path(__file__).resolve().parents[2]
CATALOG_PATH = REPO_ROOT / "catalog.yml"
# The build a project installs from PyPI (no PyTorch index): the name includes/plan.jinja gives it
# in `plan.variants[].builds`, and the expectations and lock check use for it too.
PYPI_BUILD = "pypi"


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
    # release -> PyPI's build there for the releases before it (Linux aarch64: cpu before 2.11)
    pypi_torch_before: dict[str, str] = field(default_factory=dict)

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
class Strategy:
    """What a `strategy` answer means, as flags: Python asks these, never the strategy's name
    (includes/plan.jinja hands the same flags to the rendered files as `plan.does`)."""

    name: str
    order: int
    label: str
    summary: str
    backends: bool = False  # the project installs the `backends` answer's builds
    extras: bool = False  # one extra per backend, `uv sync --extra <name>`
    one_backend: bool = False  # exactly one backend, locked only where it has wheels
    one_accelerator: bool = False  # one accelerator where it has wheels, cpu elsewhere
    doctor: bool = False  # the project ships the doctor
    publishes: bool = False  # a library: publishes plain `torch>=X`
    develops_on: str | None = None  # the backend a library develops and tests on
    default_backends: tuple[str, ...] = ()

    def chosen_backends(self, backends: tuple[str, ...] | list[str]) -> list[str]:
        """The backends whose indexes the project uses: the asked ones, the one a library
        develops on, or none (PyPI's torch)."""
        if self.backends:
            return list(backends)
        return [self.develops_on] if self.develops_on else []

    @property
    def uses_index(self) -> bool:
        """Whether the project declares a PyTorch index (and so asks for `index_url`)."""
        return self.backends or self.develops_on is not None


@dataclass(frozen=True)
class ReservedNames:
    """Names project_name and package_name must not take (catalog.yml says why)."""

    max_length: int
    windows_devices: tuple[str, ...]
    distributions: tuple[str, ...]
    distribution_prefixes: tuple[str, ...]
    modules: tuple[str, ...]
    stdlib: tuple[str, ...]
    git_ignored: tuple[str, ...]
    test_modules: tuple[str, ...]


@dataclass(frozen=True)
class Companion:
    package: str
    version: str


@dataclass(frozen=True)
class Patch:
    """An older patch release of a torch release (the newest is the release itself)."""

    version: str
    torchvision: str | None
    torchaudio: str | None
    released: str
    # family -> the triton companion this patch pins (a patch's own, else its release's)
    companions: dict[str, Companion] = field(default_factory=dict)


@dataclass(frozen=True)
class IndexOnly:
    """Dependencies of a backend's builds that only its own index serves (rocm7.14's `rocm`)."""

    releases: tuple[str, ...]
    requirement: str  # as torch declares it: rocm[device-all,libraries]==7.14.*
    version: str  # the family's version on the index
    packages: tuple[str, ...]  # every distribution of the family, device packages included


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
    patches: tuple[Patch, ...] = ()  # older patch releases, oldest first

    @property
    def builds(self) -> tuple[Patch, ...]:
        """Every patch release, oldest first, this release's own (newest) version last."""
        own = Patch(self.version, self.torchvision, self.torchaudio, self.released, self.companions)
        return (*self.patches, own)

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
    # release -> the patch versions this index carries, where it carries only some of them
    only_patches: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # release -> lock platforms, where a release has wheels for fewer than `platforms`
    release_platforms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    index_only: IndexOnly | None = None
    # platforms where torchvision/torchaudio carry no label although torch does
    companions_unlabelled_on: tuple[str, ...] = ()
    # patch version -> why a lock must not take that build (its METADATA differs per platform)
    inconsistent: dict[str, str] = field(default_factory=dict)
    # the catalog's own releases, to answer versions_of (set by parse)
    release_table: dict[str, Release] = field(default_factory=dict, compare=False, repr=False)

    @property
    def extra(self) -> str:
        return extra_name(self.name)

    def label_on(self, platform: str) -> str | None:
        """The local version label of this backend's wheels on a platform (None: unlabelled)."""
        return None if platform in self.unlabelled_on else self.label

    def companion_label_on(self, platform: str) -> str | None:
        """The label of this backend's torchvision/torchaudio wheels on a platform (None: none)."""
        return None if platform in self.companions_unlabelled_on else self.label_on(platform)

    def carries(self, release: str) -> bool:
        return release in self.torch

    def versions_of(self, release: str) -> tuple[str, ...]:
        """The patch versions of a release this index carries, oldest first."""
        if release in self.only_patches:
            return self.only_patches[release]
        return tuple(p.version for p in self.release_table[release].builds)

    def newest_version(self, release: str) -> str:
        return self.versions_of(release)[-1]

    def platforms_for(self, release: str) -> tuple[str, ...]:
        return self.release_platforms.get(release, self.platforms)


@dataclass(frozen=True)
class Catalog:
    platforms: dict[str, Platform]
    python_versions: tuple[str, ...]
    releases: tuple[Release, ...]
    backends: dict[str, Backend]
    strategies: dict[str, Strategy] = field(default_factory=dict)
    tools: dict[str, Any] = field(default_factory=dict)  # pinned versions and action commits
    reserved_names: ReservedNames | None = None
    default_python_version: str = ""
    default_torch_version: str = ""
    companion_packages: tuple[str, ...] = ()  # pinned to torch's build: torchvision, torchaudio

    def release(self, torch: str) -> Release:
        for release in self.releases:
            if release.torch == torch:
                return release
        raise KeyError(f"torch {torch} is not in the catalog")

    @property
    def newest(self) -> Release:
        return self.releases[-1]

    def strategy_where(self, **flags: Any) -> str:
        """The one strategy with these flags: code names a strategy by what it does."""
        (name,) = [
            name
            for name, strategy in self.strategies.items()
            if all(getattr(strategy, flag) == value for flag, value in flags.items())
        ]
        return name

    def releases_from(self, floor: str) -> list[Release]:
        """Supported (not retired) releases at or above the floor."""
        return [r for r in self.releases if release_key(r.torch) >= release_key(floor) and not r.retired]


def _index_only(raw: dict[str, Any] | None, gpu_archs: tuple[str, ...]) -> IndexOnly | None:
    if not raw:
        return None
    devices = (
        [raw["device_package"].format(arch=arch) for arch in gpu_archs] if raw.get("device_package") else []
    )
    return IndexOnly(
        releases=tuple(raw["releases"]),
        requirement=raw["requirement"],
        version=str(raw["version"]),
        packages=(*raw["packages"], *devices),
    )


def _backend(name: str, raw: dict[str, Any], releases: dict[str, Release]) -> Backend:
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
        only_patches={r: tuple(str(v) for v in vs) for r, vs in (raw.get("only_patches") or {}).items()},
        release_platforms={r: tuple(ps) for r, ps in (raw.get("release_platforms") or {}).items()},
        companions_unlabelled_on=tuple(raw.get("companions_unlabelled_on", ())),
        index_only=_index_only(raw.get("index_only"), tuple(raw.get("gpu_archs", ()))),
        inconsistent={str(v): why for v, why in (raw.get("inconsistent") or {}).items()},
        release_table=releases,
    )


def _optional(value: Any) -> str | None:
    return None if value is None else str(value)


def _companions(raw: dict[str, Any] | None) -> dict[str, Companion]:
    return {
        family: Companion(package=c["package"], version=str(c["version"]))
        for family, c in (raw or {}).items()
    }


def _release(raw: dict[str, Any]) -> Release:
    companions = _companions(raw.get("companions"))
    return Release(
        torch=raw["torch"],
        version=str(raw["version"]),
        torchvision=None if raw["torchvision"] is None else str(raw["torchvision"]),
        torchaudio=None if raw["torchaudio"] is None else str(raw["torchaudio"]),
        python=tuple(raw["python"]),
        released=raw["released"],
        companions=companions,
        unverified=raw.get("unverified"),
        retired=raw.get("retired"),
        patches=tuple(
            Patch(
                str(p["version"]),
                _optional(p.get("torchvision")),
                _optional(p.get("torchaudio")),
                p["released"],
                {**companions, **_companions(p.get("companions"))},
            )
            for p in raw.get("patches") or ()
        ),
    )


def _strategy(name: str, raw: dict[str, Any]) -> Strategy:
    flags = {key: value for key, value in raw.items() if key != "backends_help"}
    flags["default_backends"] = tuple(flags.get("default_backends") or ())
    return Strategy(name=name, **flags)


def parse(raw: dict[str, Any]) -> Catalog:
    releases = tuple(_release(r) for r in raw["releases"])
    table = {r.torch: r for r in releases}
    reserved = raw.get("reserved_names")
    return Catalog(
        platforms={key: Platform(key=key, **value) for key, value in raw["platforms"].items()},
        python_versions=tuple(raw["python_versions"]),
        releases=releases,
        backends={name: _backend(name, value, table) for name, value in raw["backends"].items()},
        strategies={name: _strategy(name, value) for name, value in (raw.get("strategies") or {}).items()},
        tools=raw.get("tools") or {},
        reserved_names=ReservedNames(**{k: v if k == "max_length" else tuple(v) for k, v in reserved.items()})
        if reserved
        else None,
        default_python_version=str(raw.get("default_python_version", "")),
        default_torch_version=str(raw.get("default_torch_version", "")),
        companion_packages=tuple(raw.get("companion_packages") or ()),
    )


def load_raw(path: Path = CATALOG_PATH) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@cache
def load(path: Path = CATALOG_PATH) -> Catalog:
    return parse(load_raw(path))
