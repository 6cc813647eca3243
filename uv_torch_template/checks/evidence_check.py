"""Judge catalog.yml against the evidence store: every catalog fact a recorded observation
contradicts, named with the fact, what the catalog says, what was seen, and its source.

Nothing here reads the network: `evidence/` is what PyPI and public sources were seen to serve
(refreshed by `nox -s evidence` and `nox -s survey -- --pypi --write`). Facts the evidence says
nothing about are not judged; README.md lists the catalog's own "unverified" notes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from packaging.markers import Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from uv_torch_template.catalog import Catalog, release_key
from uv_torch_template.evidence import store as E

PYPI = "https://pypi.org/simple"


@dataclass(frozen=True)
class Contradiction:
    fact: str  # which catalog fact: "torch 2.12: torchaudio of 2.12.1"
    catalog: str
    evidence: str
    source: str
    # what `--write` may set: (patch version, field, value), for facts PyPI alone settles
    write: tuple[str, str, str] | None = None

    def __str__(self) -> str:
        return f"{self.fact}: catalog says {self.catalog}, evidence has {self.evidence} ({self.source})"


def contradictions(catalog: Catalog, facts: dict[str, Any] | None = None) -> list[Contradiction]:
    """Everything the store contradicts; facts: the stand-in's facts.yml, whose CUDA pins are
    checked against PyPI's METADATA of the builds PyPI mirrors."""
    records = {p: E.pypi_record(p) for p in ("torch", "torchvision", "torchaudio")}
    found = pypi_contradictions(catalog, records) + index_contradictions(catalog)
    if facts is not None:
        found += cuda_pin_contradictions(catalog, facts, records["torch"], pypi_builds())
    return found


def pypi_builds() -> dict[str, str]:
    """torch version -> the CUDA build PyPI ships it as (evidence/indexes.yml)."""
    return {str(k): v for k, v in E.index_record()["pypi_builds"].items() if k != "source"}


# ---------------------------------------------------------------------------------------------
# What PyPI settles: releases, patches, upload dates, Python tags, Requires-Python, pairings


def _uploaded(record: dict[str, Any], version: str) -> datetime | None:
    times = [
        f["upload_time"] for f in record["releases"].get(version, {}).get("files", []) if f.get("upload_time")
    ]
    return datetime.fromisoformat(min(times).replace("Z", "+00:00")) if times else None


def _pythons(record: dict[str, Any], version: str) -> set[str]:
    found = set()
    for file in record["releases"].get(version, {}).get("files", []):
        parts = file["filename"].removesuffix(".whl").split("-")
        if len(parts) == 5 and parts[2].startswith("cp") and not parts[3].endswith("t"):
            found.add(f"{parts[2][2]}.{parts[2][3:]}")
    return found


def _torch_pin(record: dict[str, Any], version: str) -> Requirement | None:
    metadata = record["releases"].get(version, {}).get("metadata", {}).get("linux-x86_64")
    for line in (metadata or {}).get("requires_dist", []):
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            continue
        if canonicalize_name(requirement.name) == "torch":
            return requirement
    return None


def pypi_contradictions(
    catalog: Catalog, records: dict[str, dict[str, Any]], base: str = PYPI
) -> list[Contradiction]:
    """base: the simple API the records were read from, named as each contradiction's source."""
    torch = records["torch"]
    source = f"{base}/torch/"
    out: list[Contradiction] = []
    known = {p.version for r in catalog.releases for p in r.builds}
    on_pypi = [v for v in torch["releases"] if not Version(v).is_prerelease]
    for version in on_pypi:
        minor = ".".join(version.split(".")[:2])
        if version not in known and any(r.torch == minor for r in catalog.releases):
            out.append(Contradiction(f"torch {minor}: patch releases", "no " + version, version, source))
    for release in catalog.releases:
        for patch in release.builds:
            fact = f"torch {release.torch}: {patch.version}"
            if patch.version not in torch["releases"]:
                out.append(Contradiction(fact, "released", "no such version", source))
                continue
            uploaded = _uploaded(torch, patch.version)
            if uploaded is not None and uploaded.date().isoformat() != patch.released:
                date = uploaded.date().isoformat()
                write = (patch.version, "released", date)
                out.append(Contradiction(f"{fact} released", patch.released, date, source, write))
            out += _pairings(
                catalog, records, base, release.torch, patch.version, patch.torchvision, patch.torchaudio
            )
        offered = set(catalog.python_versions)
        pythons = _pythons(torch, release.version) & offered
        if pythons and pythons != set(release.python) & offered:
            shown = ", ".join(sorted(pythons, key=release_key))
            out.append(
                Contradiction(f"torch {release.torch}: python", ", ".join(release.python), shown, source)
            )
        metadata = torch["releases"].get(release.version, {}).get("metadata", {}).get("linux-x86_64") or {}
        floor = metadata.get("requires_python")
        if floor and Version(release.python[0] + ".0") not in _specifier(floor):
            out.append(
                Contradiction(
                    f"torch {release.torch}: python", release.python[0], f"Requires-Python {floor}", source
                )
            )
    return out


def _specifier(text: str) -> Any:
    from packaging.specifiers import SpecifierSet

    return SpecifierSet(text)


def _pairings(
    catalog: Catalog,
    records: dict[str, dict[str, Any]],
    base: str,
    release: str,
    torch_version: str,
    torchvision: str | None,
    torchaudio: str | None,
) -> list[Contradiction]:
    """A companion that pins one torch exactly pairs with it; one that pins a floor or nothing
    pairs with the torch it was uploaded with (within a day), as the survey pairs them."""
    out = []
    torch_uploaded = _uploaded(records["torch"], torch_version)
    for package, claimed in (("torchvision", torchvision), ("torchaudio", torchaudio)):
        record = records.get(package)
        if record is None:
            continue
        source = f"{base}/{package}/"
        exact = [
            v
            for v in record["releases"]
            if (pin := _torch_pin(record, v)) is not None
            and [s.operator for s in pin.specifier] == ["=="]
            and next(iter(pin.specifier)).version == torch_version
        ]
        loose = [
            v
            for v in record["releases"]
            if ((pin := _torch_pin(record, v)) is None or [s.operator for s in pin.specifier] != ["=="])
            and torch_uploaded is not None
            and (up := _uploaded(record, v)) is not None
            and abs(up - torch_uploaded) <= timedelta(days=1)
            and (pin is None or pin.specifier.contains(torch_version))
        ]
        seen = exact or loose
        if seen and claimed not in seen:
            fact = f"torch {release}: {package} of {torch_version}"
            write = (torch_version, package, seen[-1]) if len(seen) == 1 else None
            out.append(Contradiction(fact, claimed or "none", ", ".join(seen), source, write))
        if claimed and claimed in record["releases"]:
            pin = _torch_pin(record, claimed)
            if pin is not None and not pin.specifier.contains(torch_version):
                fact = f"torch {release}: {package} of {torch_version}"
                out.append(Contradiction(fact, claimed, f"{claimed} requires {pin}", source))
    return out


# ---------------------------------------------------------------------------------------------
# What the PyTorch indexes were seen to serve (evidence/indexes.yml)


def index_contradictions(catalog: Catalog) -> list[Contradiction]:
    seen = E.index_record()
    out: list[Contradiction] = []
    for entry in E.index_files():
        out += _file(catalog, entry)
    for entry in seen.get("installed_together", []):
        out += _together(catalog, entry)
    for entry in seen.get("build_matrix", []):
        backend = catalog.backends[entry["index"]]
        for release in entry["releases"]:
            if not backend.carries(release):
                out.append(
                    Contradiction(
                        f"{backend.name}: torch releases", "no " + release, release, entry["source"]
                    )
                )
            elif missing := set(entry["platforms"]) - set(backend.platforms_for(release)):
                shown = ", ".join(sorted(missing))
                out.append(
                    Contradiction(
                        f"{backend.name} {release}: platforms", "without " + shown, shown, entry["source"]
                    )
                )
    archs = seen.get("gpu_archs", {})
    for name, listed in archs.items():
        if name != "source" and tuple(listed) != catalog.backends[name].gpu_archs:
            shown = ", ".join(listed)
            out.append(
                Contradiction(
                    f"{name}: gpu_archs", ", ".join(catalog.backends[name].gpu_archs), shown, archs["source"]
                )
            )
    for entry in seen.get("metadata", []):
        out += _metadata(catalog, entry)
    out += _pypi_builds(catalog)
    return out


def _file(catalog: Catalog, entry: dict[str, Any]) -> list[Contradiction]:
    if entry["index"] is None:
        return []
    backend = catalog.backends[entry["index"]]
    name, full, *_tags = entry["file"].removesuffix(".whl").split("-")
    version, _, label = full.partition("+")
    platform = _platform(entry["file"])
    source = entry["source"]
    if name != "torch":
        expected = backend.companion_label_on(platform) if platform else backend.label
        if platform and (label or None) != expected:
            return [
                Contradiction(
                    f"{backend.name}: {name} label on {platform}", expected or "none", label or "none", source
                )
            ]
        return []
    release = ".".join(version.split(".")[:2])
    if not backend.carries(release):
        return [Contradiction(f"{backend.name}: torch releases", "no " + release, entry["file"], source)]
    out = []
    if version not in backend.versions_of(release):
        out.append(
            Contradiction(
                f"{backend.name} {release}: patches", ", ".join(backend.versions_of(release)), version, source
            )
        )
    if platform and platform not in backend.platforms_for(release):
        out.append(
            Contradiction(
                f"{backend.name} {release}: platforms",
                ", ".join(backend.platforms_for(release)),
                platform,
                source,
            )
        )
    if platform and (label or None) != backend.label_on(platform):
        out.append(
            Contradiction(
                f"{backend.name}: torch label on {platform}",
                backend.label_on(platform) or "none",
                label or "none",
                source,
            )
        )
    return out


def _platform(filename: str) -> str | None:
    tags = filename.removesuffix(".whl").split("-")[-1].split(".")
    found = {E.lock_platform_of(t) for t in tags} - {None}
    return found.pop() if len(found) == 1 else None


def _together(catalog: Catalog, entry: dict[str, Any]) -> list[Contradiction]:
    backend = catalog.backends[entry["index"]]
    torch = entry["torch"].split("+")[0]
    release = catalog.release(".".join(torch.split(".")[:2]))
    patch = next((p for p in release.builds if p.version == torch), None)
    if patch is None:
        return [
            Contradiction(
                f"torch {release.torch}: patches",
                ", ".join(p.version for p in release.builds),
                torch,
                entry["source"],
            )
        ]
    out = []
    for package in ("torchvision", "torchaudio"):
        if package in entry:
            seen = entry[package].split("+")[0]
            claimed = getattr(patch, package)
            later = [
                r.companion_version(package)
                for r in catalog.releases
                if release_key(r.torch) > release_key(release.torch)
            ]
            if seen != claimed and seen not in later:
                out.append(
                    Contradiction(
                        f"torch {release.torch}: {package} of {torch} on {backend.name}",
                        claimed or "none",
                        seen,
                        entry["source"],
                    )
                )
    companion = patch.companions.get(backend.family)
    for package, version in entry.items():
        if (
            companion is not None
            and package
            in (
                "pytorch-triton-rocm",
                "triton-rocm",
                "pytorch-triton-xpu",
                "triton-xpu",
            )
            and (package, str(version)) != (companion.package, companion.version)
        ):
            claimed = f"{companion.package} {companion.version}"
            out.append(
                Contradiction(
                    f"torch {torch}: {backend.family} companion",
                    claimed,
                    f"{package} {version}",
                    entry["source"],
                )
            )
    if "hip" in entry and backend.family == "rocm":
        out += _hip(backend.label, entry["hip"], entry["source"])
    return out


def _hip(label: str, hip: str, source: str) -> list[Contradiction]:
    """The rendered smoke test's HIP rule (template/tests/test_smoke.py.jinja hip_matches)."""
    from uv_torch_template.checks.template_code import hip_matches

    if not hip_matches(hip, label):
        return [
            Contradiction(f"{label}: the smoke test's torch.version.hip check", f"rejects {hip}", hip, source)
        ]
    return []


def _metadata(catalog: Catalog, entry: dict[str, Any]) -> list[Contradiction]:
    backend = catalog.backends[entry["index"]]
    version = entry["version"].split("+")[0]
    release = ".".join(version.split(".")[:2])
    out = []
    for line in entry.get("adds", []):
        family = backend.index_only
        if family is None or release not in family.releases or family.requirement != line:
            claimed = family.requirement if family else "none"
            out.append(
                Contradiction(
                    f"{backend.name} {release}: index-only dependencies", claimed, line, entry["source"]
                )
            )
    if entry.get("drop_prefixes") and version not in backend.inconsistent:
        out.append(
            Contradiction(
                f"{backend.name}: inconsistent builds",
                "none for " + version,
                entry["differs"],
                entry["source"],
            )
        )
    return out


def _pypi_builds(catalog: Catalog) -> list[Contradiction]:
    """PyPI's torch per platform: a CUDA build where an nvidia-*/cuda-* requirement applies there."""
    out = []
    torch = E.pypi_record("torch")
    for release in catalog.releases:
        for key, platform in catalog.platforms.items():
            metadata = torch["releases"].get(release.version, {}).get("metadata", {}).get(key)
            if not metadata:
                continue
            environment = {**platform.marker_environment, "python_version": "3.12", "extra": ""}
            cuda = any(
                canonicalize_name(r.name).startswith(("nvidia-", "cuda-"))
                and (r.marker is None or Marker(str(r.marker)).evaluate(environment))
                for r in map(Requirement, metadata["requires_dist"])
            )
            seen = "cuda" if cuda else "cpu"
            claimed = _pypi_build(platform, release.torch)
            if seen != claimed:
                fact = f"{key}: pypi_torch for torch {release.torch}"
                out.append(
                    Contradiction(fact, claimed, seen, f"{PYPI}/torch/ METADATA of {metadata['read_from']}")
                )
    return out


def _pypi_build(platform: Any, release: str) -> str:
    for before, build in sorted(platform.pypi_torch_before.items(), key=lambda item: release_key(item[0])):
        if release_key(release) < release_key(before):
            return build
    return platform.pypi_torch


# ---------------------------------------------------------------------------------------------
# The CUDA builds PyPI mirrors: their nvidia-*/cuda-*/triton pins (facts.yml) against PyPI's


def _pins(lines: list[str]) -> dict[str, str]:
    pins = {}
    for line in lines:
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            continue
        name = canonicalize_name(requirement.name)
        if name.startswith(("nvidia-", "cuda-", "triton")):
            pins[name] = str(requirement.specifier)
    return pins


def cuda_pin_contradictions(
    catalog: Catalog, facts: dict[str, Any], torch: dict[str, Any], pypi_builds: dict[str, str]
) -> list[Contradiction]:
    """For each release whose newest patch PyPI ships as one of our CUDA builds (cu130's 2.14.1),
    the stand-in's Requires-Dist of that build must pin what PyPI's METADATA pins."""
    out = []
    for release in catalog.releases:
        backend = pypi_builds.get(release.version)
        metadata = torch["releases"].get(release.version, {}).get("metadata", {}).get("linux-x86_64")
        if backend is None or backend not in catalog.backends or not metadata:
            continue
        build = facts["torch"]["builds"].get(backend, {}).get(release.torch)
        if build is None:
            continue
        ours, theirs = _pins(build["requires"]), _pins(metadata["requires_dist"])
        for name in sorted(set(ours) | set(theirs)):
            if ours.get(name) != theirs.get(name):
                fact = f"{backend} {release.torch} (facts.yml): {name}"
                seen = theirs.get(name) or "not required"
                out.append(
                    Contradiction(
                        fact, ours.get(name) or "not required", seen, f"{PYPI}/torch/ {metadata['read_from']}"
                    )
                )
    return out


def index_only_contradictions(catalog: Catalog, records: dict[str, dict[str, Any]]) -> list[Contradiction]:
    """An index-only family that PyPI now serves at the family's version is no longer index-only."""
    out = []
    for backend in catalog.backends.values():
        family = backend.index_only
        if family is None:
            continue
        for package in family.packages:
            record = records.get(package)
            if record is not None and family.version in record["releases"]:
                fact = f"{backend.name}: index-only {package}"
                out.append(
                    Contradiction(
                        fact, "only on the index", f"{package} {family.version} on PyPI", f"{PYPI}/{package}/"
                    )
                )
    return out


def pinned_projects(facts: dict[str, Any]) -> set[str]:
    """The nvidia-*/cuda-*/triton projects the stand-in's CUDA builds pin (facts.yml)."""
    names = set()
    for table in facts["torch"]["builds"].values():
        for entry in table.values():
            names |= set(_pins(entry.get("requires", [])))
    return names


def pin_contradictions(
    catalog: Catalog, facts: dict[str, Any], versions: dict[str, list[str]], base: str = PYPI
) -> list[Contradiction]:
    """Every nvidia-*/cuda-*/triton pin of a CUDA build must be installable from PyPI (where the
    build's index sends uv for them): a version PyPI lists must satisfy it."""
    out = []
    for backend, table in facts["torch"]["builds"].items():
        if backend not in catalog.backends or catalog.backends[backend].family != "cuda":
            continue
        for release, entry in table.items():
            for name, spec in _pins(entry.get("requires", [])).items():
                listed = versions.get(name)
                if not listed or not spec:
                    continue  # not read (or unpinned): nothing to judge
                if not any(_specifier(spec).contains(v, prereleases=True) for v in listed):
                    fact = f"{backend} {release} (facts.yml): {name}{spec}"
                    shown = f"no such version (newest {max(listed, key=Version)})"
                    out.append(Contradiction(fact, "installable from PyPI", shown, f"{base}/{name}/"))
    return out
