"""Which wheels each PyTorch index variant carries, named and described as the real ones are.

catalog.yml says which backend carries which torch release on which lock platform; facts.yml
says how those wheels are tagged and what their METADATA requires. This module combines the
two into `Dist` descriptions; wheels.py turns a Dist into bytes, index.py serves them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from packaging.utils import canonicalize_name

from ..catalog import Backend, Catalog, Patch, Release
from . import facts as F

# Packages whose real hrefs are absolute download-r2.pytorch.org URLs (PT_R2_PACKAGES_PROD,
# docs/pytorch-index-facts.md [layout]); everything else is linked host-relative (`/whl/...`).
ABSOLUTE_HREF = re.compile(r"^(torch|torchvision|torchaudio|triton.*|pytorch-triton.*)$")


@dataclass(frozen=True)
class Dist:
    """One wheel file the index lists, described well enough to build its stub."""

    filename: str
    name: str  # as METADATA spells it
    version: str
    metadata_version: str
    requires_python: str | None
    requires_dist: tuple[str, ...]
    upload_time: str  # RFC 3339 with Z, whole seconds ([layout])
    at_root: bool  # stored at /whl/<file> and listed on every variant ([layout])

    @property
    def project(self) -> str:
        return canonicalize_name(self.name)

    @property
    def absolute_href(self) -> bool:
        return bool(ABSOLUTE_HREF.match(self.project))


def upload_time(facts: dict[str, Any], release: Release) -> str:
    return f"{release.released}T{facts['upload_time_of_day']}Z"


# ---------------------------------------------------------------------------------------------
# torch / torchvision / torchaudio on one variant


def variant_dists(catalog: Catalog, facts: dict[str, Any], backend_name: str) -> list[Dist]:
    """Every wheel stored under /whl/<backend>/: the torch family of each release it carries,
    plus the stale copies the real variant directories hold."""
    backend = catalog.backends[backend_name]
    dists: list[Dist] = []
    for release in catalog.releases:
        if backend.carries(release.torch):
            carried = backend.versions_of(release.torch)
            for patch in release.builds:
                if patch.version in carried:
                    for platform in backend.platforms_for(release.torch):
                        dists += _release_dists(facts, backend, release, patch, platform)
    dists += [d for d in stale_dists(facts) if not d.at_root]
    return dists


def _release_dists(
    facts: dict[str, Any], backend: Backend, release: Release, patch: Patch, platform: str
) -> list[Dist]:
    label = backend.label_on(platform)
    torch_version = _local(patch.version, label)
    when = f"{patch.released}T{facts['upload_time_of_day']}Z"
    dists = []
    for package, version in (
        ("torch", patch.version),
        ("torchvision", patch.torchvision),
        ("torchaudio", patch.torchaudio),
    ):
        if version is None:  # no paired release (torchaudio after 2.11, torchvision for 2.15)
            continue
        full = _local(version, label)
        meta = _metadata(facts, backend, release, package, torch_version)
        windows = F.by_release(facts[package].get("metadata_version_windows"), release.torch)
        if platform == "windows-x86_64" and windows:
            meta["metadata_version"] = windows
        for tags in _wheel_tags(facts, backend, release, package, platform):
            dists.append(
                Dist(
                    filename=f"{package}-{full}-{tags}.whl",
                    name=package,
                    version=full,
                    upload_time=when,
                    at_root=False,
                    **meta,
                )
            )
    return dists


def _wheel_tags(
    facts: dict[str, Any], backend: Backend, release: Release, package: str, platform: str
) -> list[str]:
    """interpreter-abi-platform tags of one package's wheels for one platform."""
    if platform == "macos-arm64":
        # macOS tags differ by Python (abi `none`, macosx_11_0/12_0/14_0): listed, not derived.
        return F.macos_tags(facts, package, release.torch)
    platform_tag = F.platform_tag(facts, backend.family, package, release.torch, platform)
    # A pure-Python build in platform wheels (torchvision 0.29.2: py3-none-manylinux...) says so.
    own = F.by_release(facts[package].get("python_tags"), release.torch)
    pythons = own if own else F.python_tags(facts, release.torch, release.python)
    return [f"{py}-{platform_tag}" for py in pythons]


def _metadata(
    facts: dict[str, Any], backend: Backend, release: Release, package: str, torch_version: str
) -> dict[str, Any]:
    """METADATA fields of one package of one build (the same on every platform of the build)."""
    spec = facts[package]
    if package == "torch":
        build = F.torch_build(facts, backend.name, backend.family, release.torch)
        requires = [*spec["base"][release.torch], *build["requires"]]
        companion = release.companions.get(backend.family)
        if companion is not None:
            marker = spec["companion_marker"].get(backend.family)
            requires.append(f"{companion.package}=={companion.version}" + (f"; {marker}" if marker else ""))
        requires += spec["extras"]
    elif package == "torchvision":
        pin = F.by_release(spec["torch_pin"], release.torch).format(torch_version=torch_version)
        requires = [line.format(torch=pin) for line in spec["requires"]]
    else:
        lines = F.by_release(spec["requires"], release.torch)
        requires = [line.format(torch_version=torch_version) for line in lines]
    return {
        "metadata_version": F.by_release(spec["metadata_version"], release.torch),
        "requires_python": F.by_release(spec["requires_python"], release.torch),
        "requires_dist": tuple(requires),
    }


def _local(version: str, label: str | None) -> str:
    return f"{version}+{label}" if label else version


# ---------------------------------------------------------------------------------------------
# /whl/ root: triton companions and the stale S3-hosted copies


def root_dists(catalog: Catalog, facts: dict[str, Any]) -> list[Dist]:
    return companion_dists(catalog, facts) + [d for d in stale_dists(facts) if d.at_root]


def companion_dists(catalog: Catalog, facts: dict[str, Any]) -> list[Dist]:
    """The triton builds ROCm and XPU torch pin, one wheel per Python of every release that pins
    that version; uploaded with the first such release."""
    spec = facts["companion_wheels"]
    pythons: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    first: dict[tuple[str, str, str], Release] = {}
    for release in catalog.releases:
        for family, companion in release.companions.items():
            if not any(b.family == family and b.carries(release.torch) for b in catalog.backends.values()):
                continue
            key = (family, companion.package, companion.version)
            pythons[key].update(F.python_tags(facts, release.torch, release.python))
            first.setdefault(key, release)
    dists = []
    for (family, package, version), tags in pythons.items():
        for platform_tag in spec["platforms"][family].values():
            for py in sorted(tags, key=F.tag_order):
                dists.append(
                    Dist(
                        filename=f"{package.replace('-', '_')}-{version}-{py}-{platform_tag}.whl",
                        name=package,
                        version=version,
                        metadata_version=spec["metadata_version"],
                        requires_python=F.by_release(spec["requires_python"], version),
                        requires_dist=tuple(spec["requires"]),
                        upload_time=upload_time(facts, first[(family, package, version)]),
                        at_root=True,
                    )
                )
    return dists


def stale_dists(facts: dict[str, Any]) -> list[Dist]:
    dists = []
    for entry in facts["stale"]:
        for pattern in entry["files"]:
            pythons = entry.get("pythons") if "{cp}" in pattern else [None]
            for python in pythons:
                cp = f"cp{python.replace('.', '')}" if python else ""
                dists.append(
                    Dist(
                        filename=pattern.format(cp=cp),
                        name=entry["name"],
                        version=str(entry["version"]),
                        metadata_version=entry["metadata_version"],
                        requires_python=entry["requires_python"],
                        requires_dist=tuple(entry["requires"]),
                        upload_time=entry["uploaded"],
                        at_root=entry["at_root"],
                    )
                )
    return dists
