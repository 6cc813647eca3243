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
from ..evidence import store as E
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
    """Every wheel stored under /whl/<backend>/: the torch family of each release it carries, the
    dependencies only this index serves, and the stale copies the real variant directories hold.
    A companion several releases pair with (torchaudio 2.11.0 for 2.11-2.14) is one set of files."""
    backend = catalog.backends[backend_name]
    dists: list[Dist] = []
    for release in catalog.releases:
        if backend.carries(release.torch):
            carried = backend.versions_of(release.torch)
            for patch in release.builds:
                if patch.version in carried:
                    for platform in backend.platforms_for(release.torch):
                        dists += _release_dists(facts, backend, release, patch, platform)
    dists += index_only_dists(catalog, facts, backend)
    dists += [d for d in stale_dists(facts) if not d.at_root]
    unique: dict[str, Dist] = {}
    for dist in dists:
        unique.setdefault(dist.filename, dist)
    return list(unique.values())


def _release_dists(
    facts: dict[str, Any], backend: Backend, release: Release, patch: Patch, platform: str
) -> list[Dist]:
    torch_label = backend.label_on(platform)
    torch_version = _local(patch.version, torch_label)
    when = f"{patch.released}T{facts['upload_time_of_day']}Z"
    dists = []
    for package, version in (
        ("torch", patch.version),
        ("torchvision", patch.torchvision),
        ("torchaudio", patch.torchaudio),
    ):
        if version is None:  # no paired release
            continue
        label = torch_label if package == "torch" else backend.companion_label_on(platform)
        full = _local(version, label)
        # An unlabelled companion is one file for every index that lists it (aarch64 torchvision
        # on cpu and cu129): it pins the public torch version, which each index's build satisfies.
        pinned = torch_version if label else patch.version
        meta = _metadata(facts, backend, release, patch, package, version, pinned, platform)
        for tags in _wheel_tags(facts, backend, release, package, version, platform):
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
    facts: dict[str, Any], backend: Backend, release: Release, package: str, version: str, platform: str
) -> list[str]:
    """interpreter-abi-platform tags of one package's wheels for one platform: the file names the
    index was seen to serve where recorded, else PyPI's Python tags with the index's platform tag."""
    seen = [n for n in E.recorded_files(backend.index, package, version) if _platform_of(n) == platform]
    if platform == "macos-arm64":
        # macOS tags differ by Python (abi `none`, macosx_11_0/12_0/14_0): PyPI's, as the cpu index
        # serves the same names; listed in facts.yml where PyPI has none.
        recorded = E.pypi_python_tags(package, version, platform)
        tags = F.macos_tags(facts, package, release.torch) if recorded is None else None
        if tags is not None:
            return tags
        return [f"{py}-{_pypi_platform_tag(package, version, py, platform)}" for py in recorded or []]
    platform_tag = _seen_platform_tag(seen) or F.platform_tag(
        facts, backend.family, package, release.torch, platform
    )
    own = F.by_release(facts[package].get("python_tags"), release.torch)
    pythons = (
        own
        or E.pypi_python_tags(package, version, platform)
        or F.python_tags(facts, release.torch, release.python)
    )
    return [f"{py}-{platform_tag}" for py in dict.fromkeys(pythons)]


def _platform_of(filename: str) -> str | None:
    platforms = filename.removesuffix(".whl").split("-")[-1].split(".")
    found = {E.lock_platform_of(p) for p in platforms} - {None}
    return found.pop() if len(found) == 1 else None


def _seen_platform_tag(filenames: list[str]) -> str | None:
    tags = {n.removesuffix(".whl").split("-")[-1] for n in filenames}
    return tags.pop() if len(tags) == 1 else None


def _pypi_platform_tag(package: str, version: str, python: str, platform: str) -> str:
    for file in E.pypi_record(package)["releases"][version]["files"]:
        parts = file["filename"].removesuffix(".whl").split("-")
        if (
            len(parts) == 5
            and f"{parts[2]}-{parts[3]}" == python
            and _platform_of(file["filename"]) == platform
        ):
            return parts[4]
    raise KeyError(f"no PyPI wheel {package} {version} {python} for {platform}")


def _metadata(
    facts: dict[str, Any],
    backend: Backend,
    release: Release,
    patch: Patch,
    package: str,
    version: str,
    torch_version: str,
    platform: str,
) -> dict[str, Any]:
    """METADATA fields of one package of one build on one platform: PyPI's as recorded, with the
    lines of this index's build where they differ; facts.yml where PyPI has no record."""
    spec = facts[package]
    pypi = E.pypi_metadata(package, version, platform) or E.pypi_metadata(package, version, "linux-x86_64")
    if package == "torch":
        requires = _torch_requires(facts, backend, release, patch, pypi, platform)
    elif package == "torchvision":
        # PyPI's own pin says whether this version pins torch exactly (0.29.0) or by a floor (0.29.1)
        recorded = [line for line in (pypi or {}).get("requires_dist", []) if line.startswith("torch (")]
        if recorded and not recorded[0].startswith("torch (=="):
            pin = recorded[0].split("(", 1)[1].rstrip(")")
        elif recorded:
            pin = f"=={torch_version}"
        else:
            pin = F.by_release(spec["torch_pin"], release.torch).format(torch_version=torch_version)
        requires = [line.format(torch=pin) for line in spec["requires"]]
    else:
        if pypi is not None:
            # torch==2.8.0 on PyPI is torch==2.8.0+cu128 on the cu128 index; floors stay floors
            requires = [_label_pin(line, patch.version, torch_version) for line in pypi["requires_dist"]]
        else:
            lines = F.by_release(spec["requires"], release.torch)
            requires = [line.format(torch_version=torch_version) for line in lines]
    windows = F.by_release(spec.get("metadata_version_windows"), release.torch)
    metadata_version = F.by_release(spec["metadata_version"], release.torch)
    if platform == "windows-x86_64" and windows:
        metadata_version = windows
    return {
        "metadata_version": pypi["metadata_version"] if pypi else metadata_version,
        "requires_python": pypi["requires_python"]
        if pypi
        else F.by_release(spec["requires_python"], release.torch),
        "requires_dist": tuple(requires),
    }


def _label_pin(line: str, public: str, local: str) -> str:
    return line.replace(f"torch=={public}", f"torch=={local}").replace(
        f"torch (=={public})", f"torch (=={local})"
    )


ACCELERATOR = re.compile(
    r"^(nvidia-|cuda-|triton|pytorch-triton|intel-|onemkl-|mkl|tbb|tcmlib|umf|impi-rt|oneccl|dpcpp|pyzes)"
)


def _torch_requires(
    facts: dict[str, Any],
    backend: Backend,
    release: Release,
    patch: Patch,
    pypi: dict[str, Any] | None,
    platform: str,
) -> list[str]:
    """torch's Requires-Dist: the lines every build shares and the extras from PyPI's METADATA of
    the same patch release; the accelerator lines of this build (facts.yml), with the CUDA triton
    pin of that patch (PyPI's), its own companion (catalog), and what only its index serves."""
    spec = facts["torch"]
    build = F.torch_build(facts, backend.name, backend.family, release.torch)
    accelerator = list(build["requires"])
    if pypi is not None:
        lines = [line for line in pypi["requires_dist"] if "extra ==" not in line]
        base = [line for line in lines if not ACCELERATOR.match(line)]
        extras = [line for line in pypi["requires_dist"] if "extra ==" in line]
        triton = [line.split(";")[0].strip() for line in lines if line.startswith("triton")]
        if backend.family == "cuda" and triton:
            # the triton of this patch is PyPI's; its marker is the index build's (PyPI's aarch64
            # torch before 2.11 is a CPU build, so PyPI limits triton to x86_64 where the index does not)
            accelerator = [
                f"{triton[0]};{line.split(';', 1)[1]}" if line.startswith("triton") else line
                for line in accelerator
            ]
    else:
        base, extras = list(spec["base"][release.torch]), list(spec["extras"])
    seen = E.recorded_metadata(backend.index, "torch", patch.version, platform)
    for prefix in (seen or {}).get("drop_prefixes", []):
        accelerator = [line for line in accelerator if not line.startswith(prefix)]
    requires = [*base, *accelerator]
    companion = patch.companions.get(backend.family)
    if companion is not None:
        marker = spec["companion_marker"].get(backend.family)
        requires.append(f"{companion.package}=={companion.version}" + (f"; {marker}" if marker else ""))
    if backend.index_only and release.torch in backend.index_only.releases:
        requires.append(f'{backend.index_only.requirement}; platform_system == "Linux"')
    return requires + extras


def _local(version: str, label: str | None) -> str:
    return f"{version}+{label}" if label else version


# ---------------------------------------------------------------------------------------------
# /whl/ root: triton companions and the stale S3-hosted copies


def root_dists(catalog: Catalog, facts: dict[str, Any]) -> list[Dist]:
    return companion_dists(catalog, facts) + [d for d in stale_dists(facts) if d.at_root]


def companion_dists(catalog: Catalog, facts: dict[str, Any]) -> list[Dist]:
    """The triton builds ROCm and XPU torch pin, one wheel per Python of every patch release that
    pins that version; uploaded with the first such patch."""
    spec = facts["companion_wheels"]
    pythons: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    first: dict[tuple[str, str, str], Patch] = {}
    for release in catalog.releases:
        for patch in release.builds:
            for family, companion in patch.companions.items():
                carriers = [
                    b for b in catalog.backends.values() if b.family == family and b.carries(release.torch)
                ]
                if not any(patch.version in b.versions_of(release.torch) for b in carriers):
                    continue
                key = (family, companion.package, companion.version)
                pythons[key].update(F.python_tags(facts, release.torch, release.python))
                first.setdefault(key, patch)
    dists = []
    for (family, package, version), tags in pythons.items():
        seen = E.recorded_files(None, package, version)
        for platform, default_tag in spec["platforms"][family].items():
            # the tag recorded for this very file where one was seen (pytorch_triton_xpu 3.2.0 is
            # linux_x86_64, later ones manylinux_2_27/2_28)
            platform_tag = _seen_platform_tag([n for n in seen if _platform_of(n) == platform]) or default_tag
            for py in sorted(tags, key=F.tag_order):
                when = first[(family, package, version)].released
                dists.append(
                    Dist(
                        filename=f"{package.replace('-', '_')}-{version}-{py}-{platform_tag}.whl",
                        name=package,
                        version=version,
                        metadata_version=spec["metadata_version"],
                        requires_python=F.by_release(spec["requires_python"], version),
                        requires_dist=tuple(spec["requires"]),
                        upload_time=f"{when}T{facts['upload_time_of_day']}Z",
                        at_root=True,
                    )
                )
    return dists


def index_only_dists(catalog: Catalog, facts: dict[str, Any], backend: Backend) -> list[Dist]:
    """The family only this index serves (rocm7.14: `rocm` and its rocm-sdk-* packages), as the
    catalog's `index_only` names it: the metapackage requires the core, its extras the rest."""
    family = backend.index_only
    if family is None or not any(backend.carries(r) for r in family.releases):
        return []
    spec = facts["index_only_wheels"]
    when = f"{catalog.release(family.releases[0]).released}T{facts['upload_time_of_day']}Z"
    meta, core, *rest = family.packages
    libraries = [p for p in rest if not p.startswith(meta + "-sdk-device-")]
    devices = [p for p in rest if p not in libraries]
    extras = {"libraries": libraries, "device-all": devices}
    requires = [f"{core}=={family.version}"] + [
        f'{package}=={family.version}; extra == "{extra}"'
        for extra, packages in extras.items()
        for package in packages
    ]
    dists = []
    for package in family.packages:
        dists.append(
            Dist(
                filename=f"{package.replace('-', '_')}-{family.version}-{spec['tag']}.whl",
                name=package,
                version=family.version,
                metadata_version=spec["metadata_version"],
                requires_python=spec["requires_python"],
                requires_dist=tuple(requires) if package == meta else (),
                upload_time=when,
                at_root=False,
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
