"""`nox -s survey`: read PyTorch's indexes as they are served and name every catalog fact they
contradict, one line per fact.

The pages are read with pypi-simple (PEP 503 HTML, PEP 658/714 metadata attributes), the way
download.pytorch.org serves them (pytorch/test-infra s3_management: host-relative or absolute
hrefs, `+` written as %2B, `#sha256=` only where S3 has a checksum, metadata attributes only
where a `.metadata` object exists, `data-upload-time` since 2026). What is compared:

  backend   an index that answers but is not in the catalog, or a catalog index that does not
  release   a torch release (minor) a backend gained or lost, from its torch wheels
  version   the patch releases a backend carries (catalog `version`, `patches`)
  platforms lock platforms with a wheel, per backend x release
  python    CPython versions with a wheel, per backend x release (within the catalog's Pythons)
  torchvision / torchaudio   the pairing, read from their Requires-Dist (and upload time)
  companion the triton build ROCm/XPU torch requires, read from torch's Requires-Dist
"""

from __future__ import annotations

import email.parser
import io
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import requests
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename
from packaging.version import InvalidVersion, Version
from pypi_simple import DistributionPackage, IndexPage, RepositoryPage

from uv_torch_template.catalog import Backend, Catalog, load, release_key

TIMEOUT_S = 60
SMALL_WHEEL_BYTES = 20 << 20
COMPANION_PROJECTS = ("pytorch-triton-rocm", "triton-rocm", "pytorch-triton-xpu", "triton-xpu")
# The sub-directory names s3_management accepts as indexes (ACCEPTED_SUBDIR_PATTERNS), spelled
# out as candidates: the real /whl/ page lists projects, not indexes, so each one is probed.
CANDIDATE_BACKENDS = (
    ["cpu", "xpu"]
    + [f"cu{major}{minor}" for major in (11, 12, 13) for minor in range(10)]
    + [f"rocm{major}.{minor}" for major in (5, 6, 7) for minor in range(16)]
)
# Wheel platform tags -> the catalog's lock platforms (others, such as s390x or win_arm64, are
# served too but are no lock platform of the template).
PLATFORM_TAGS = (
    (re.compile(r"^(many)?linux(_\d+_\d+|\d+)?_x86_64$"), "linux-x86_64"),
    (re.compile(r"^(many)?linux(_\d+_\d+|\d+)?_aarch64$"), "linux-aarch64"),
    (re.compile(r"^macosx_\d+_\d+_arm64$"), "macos-arm64"),
    (re.compile(r"^win_amd64$"), "windows-x86_64"),
)


@dataclass(frozen=True)
class Drift:
    """One catalog fact the index contradicts."""

    backend: str
    release: str | None
    fact: str
    catalog: str
    index: str
    value: Any = field(default=None, compare=False)  # what the index says, for --write

    def __str__(self) -> str:
        about = f" torch {self.release}" if self.release else ""
        return f"{self.backend}{about}: {self.fact}: catalog says {self.catalog}, index has {self.index}"


# ---------------------------------------------------------------------------------------------
# Reading pages


@dataclass(frozen=True)
class File:
    """One link of a project page, as the survey needs it."""

    package: DistributionPackage
    version: Version
    platforms: frozenset[str]
    pythons: frozenset[str]  # "3.12"; free-threaded builds not counted
    upload_time: datetime | None

    @property
    def filename(self) -> str:
        return self.package.filename


def parse_project_page(html: str | bytes, page_url: str, project: str) -> list[File]:
    """The wheels of a PEP 503 project page, hrefs resolved against the page's URL."""
    files = []
    for link in RepositoryPage.from_html(html, base_url=page_url).links:
        package = DistributionPackage.from_link(link, project)
        try:
            name, version, _, tags = parse_wheel_filename(package.filename)
        except (InvalidWheelFilename, InvalidVersion):
            continue  # sdists and odd names: not what the catalog describes
        if name != canonicalize_name(project):
            continue
        uploaded = link.get_str_attrib("data-upload-time")
        files.append(
            File(
                package=package,
                version=version,
                platforms=frozenset(p for tag in tags if (p := _lock_platform(tag.platform))),
                pythons=frozenset(
                    f"{tag.interpreter[2]}.{tag.interpreter[3:]}"
                    for tag in tags
                    if tag.interpreter.startswith("cp") and not tag.abi.endswith("t")
                ),
                upload_time=_parse_time(uploaded),
            )
        )
    return files


def _lock_platform(tag: str) -> str | None:
    return next((platform for pattern, platform in PLATFORM_TAGS if pattern.match(tag)), None)


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


class Reader:
    """Pages and PEP 658 metadata of one index base URL (https://download.pytorch.org/whl)."""

    def __init__(self, base_url: str):
        self.base = base_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "uv-torch-template survey"

    def _get(self, url: str) -> requests.Response | None:
        response = self.session.get(url, timeout=TIMEOUT_S)
        # The real host answers 403 for what it does not have (S3), a mirror or the stand-in 404.
        if response.status_code in (403, 404):
            return None
        response.raise_for_status()
        return response

    def project(self, backend: str, project: str) -> list[File]:
        url = f"{self.base}/{backend}/{canonicalize_name(project)}/"
        response = self._get(url)
        return [] if response is None else parse_project_page(response.content, url, project)

    def index_exists(self, backend: str) -> bool:
        return self._get(f"{self.base}/{backend}/torch/") is not None

    def root_projects(self) -> list[str]:
        response = self._get(f"{self.base}/")
        return [] if response is None else IndexPage.from_html(response.content).projects

    def requires(self, file: File) -> list[Requirement] | None:
        """Requires-Dist from the PEP 658 sidecar, or from the wheel itself where it has none and
        is small (a mirror without sidecars); None where neither can be read."""
        response = self._get(file.package.metadata_url)
        if response is not None:
            raw = response.content
        else:
            raw = self._metadata_from_wheel(file.package.url)
            if raw is None:
                return None
        metadata = email.parser.BytesParser().parsebytes(raw)
        requirements = []
        for line in metadata.get_all("Requires-Dist") or []:
            try:
                requirements.append(Requirement(line))
            except InvalidRequirement:
                continue
        return requirements

    def _metadata_from_wheel(self, url: str) -> bytes | None:
        head = self.session.head(url, timeout=TIMEOUT_S, allow_redirects=True)
        size = int(head.headers.get("Content-Length") or 0)
        if head.status_code != 200 or not 0 < size <= SMALL_WHEEL_BYTES:
            return None  # a real torch wheel is gigabytes: not worth a download for one line
        response = self._get(url)
        if response is None:
            return None
        try:
            with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
                names = [n for n in archive.namelist() if re.fullmatch(r"[^/]+\.dist-info/METADATA", n)]
                return archive.read(names[0]) if len(names) == 1 else None
        except zipfile.BadZipFile:
            return None


# ---------------------------------------------------------------------------------------------
# What one backend's index says


def _minor(version: Version) -> str:
    return f"{version.major}.{version.minor}"


def _builds(backend: Backend, files: Iterable[File]) -> list[File]:
    """The backend's own builds: labelled as the catalog says it labels them on that platform."""
    own = []
    for file in files:
        if file.version.is_prerelease or file.version.is_devrelease:
            continue
        if any(backend.label_on(p) == file.version.local for p in file.platforms):
            own.append(file)
    return own


def survey_backend(catalog: Catalog, reader: Reader, name: str) -> list[Drift]:
    backend = catalog.backends[name]
    known = [r.torch for r in catalog.releases]
    oldest = release_key(known[0])
    served = reader.project(backend.index, "torch")
    torch_files = _builds(backend, served)
    if not served:
        return [Drift(name, None, "backend", "an index with torch wheels", "none")]
    # Builds of a release under another label than the catalog's (or none): named as a label drift.
    foreign: dict[str, set[str]] = defaultdict(set)
    for file in served:
        if file not in torch_files and not (file.version.is_prerelease or file.version.is_devrelease):
            foreign[_minor(file.version)].add(f"+{file.version.local}" if file.version.local else "no label")

    by_release: dict[str, list[File]] = defaultdict(list)
    for file in torch_files:
        if release_key(_minor(file.version)) >= oldest:
            by_release[_minor(file.version)].append(file)
    drifts: list[Drift] = []
    carried = set(backend.torch)
    for release in sorted(set(by_release) | carried, key=release_key):
        if release not in by_release and foreign.get(release):
            expected = sorted(
                {f"+{backend.label_on(p)}" if backend.label_on(p) else "no label" for p in backend.platforms}
            )
            drifts.append(
                Drift(name, release, "label", ", ".join(expected), ", ".join(sorted(foreign[release])))
            )
        elif release not in by_release:
            drifts.append(Drift(name, release, "release", "carried", "none (lost)", value=False))
        elif release not in carried:
            found = max(f.version.public for f in by_release[release])
            drifts.append(Drift(name, release, "release", "not carried", f"{found} (gained)", value=True))
        else:
            drifts += _compare_release(catalog, reader, backend, release, by_release[release])
    drifts += _compare_pairings(catalog, reader, backend, by_release)
    return drifts


def _compare_release(
    catalog: Catalog, reader: Reader, backend: Backend, release: str, files: list[File]
) -> list[Drift]:
    entry = catalog.release(release)
    drifts = []
    versions = sorted({Version(f.version.public) for f in files})
    expected = [Version(v) for v in backend.versions_of(release)]
    if versions != expected:
        drifts.append(
            Drift(
                backend.name,
                release,
                "version",
                _listed(map(str, expected)),
                _listed(map(str, versions)),
                value=[str(v) for v in versions],
            )
        )
    newest = [f for f in files if Version(f.version.public) == versions[-1]]
    platforms = {p for f in newest for p in f.platforms}
    wanted_platforms = set(backend.platforms_for(release))
    if platforms != wanted_platforms:
        drifts.append(
            Drift(
                backend.name,
                release,
                "platforms",
                _listed(sorted(wanted_platforms)),
                _listed(sorted(platforms)),
            )
        )
    offered = set(catalog.python_versions)
    pythons = {p for f in newest for p in f.pythons} & offered
    if pythons != set(entry.python) & offered:
        drifts.append(
            Drift(
                backend.name,
                release,
                "python",
                _listed(sorted(entry.python, key=release_key)),
                _listed(sorted(pythons, key=release_key)),
                value=sorted(pythons, key=release_key),
            )
        )
    companion = entry.companions.get(backend.family)
    if backend.family in ("rocm", "xpu"):
        requires = reader.requires(newest[0])
        if requires is not None:
            pinned = [r for r in requires if canonicalize_name(r.name) in COMPANION_PROJECTS]
            found = ", ".join(f"{r.name} {_pin(r)}" for r in pinned) or "none"
            wanted = f"{companion.package} {companion.version}" if companion else "none"
            if found != wanted:
                value = {"package": pinned[0].name, "version": _pin(pinned[0])} if len(pinned) == 1 else None
                drifts.append(Drift(backend.name, release, "companion", wanted, found, value=value))
            elif companion is not None:
                served = reader.project(backend.index, companion.package)
                if not any(str(f.version) == companion.version for f in served):
                    drifts.append(
                        Drift(
                            backend.name,
                            release,
                            "companion",
                            f"{wanted} served",
                            "no such file on the index",
                        )
                    )
    return drifts


def _pin(requirement: Requirement) -> str:
    specs = list(requirement.specifier)
    if len(specs) == 1 and specs[0].operator in ("==", "==="):
        return specs[0].version
    return str(requirement.specifier) or "(any)"


def _listed(items: Iterable[str]) -> str:
    shown = list(items)
    return ", ".join(shown) if shown else "none"


def _compare_pairings(
    catalog: Catalog, reader: Reader, backend: Backend, by_release: dict[str, list[File]]
) -> list[Drift]:
    """torchvision and torchaudio: which release each version is for, from its Requires-Dist."""
    # The torch builds the companions can pair with: each patch, with its upload time.
    torch_builds: dict[Version, datetime | None] = {}
    for files in by_release.values():
        for file in files:
            torch_builds.setdefault(file.version, file.upload_time)
    drifts = []
    for package in load().companion_packages:
        files = _builds(backend, reader.project(backend.index, package))
        newest_of: dict[Version, File] = {}
        for file in files:
            newest_of.setdefault(file.version, file)
        paired: dict[str, Version] = {}
        for version in sorted(newest_of):
            release = _paired_release(reader, newest_of[version], torch_builds)
            if release is not None:
                paired[release] = Version(version.public)
        for release in backend.torch:
            if release not in by_release:
                continue  # already reported as lost
            expected = catalog.release(release).companion_version(package)
            found = paired.get(release)
            if found != (Version(expected) if expected else None) and not _serves_for(
                reader, newest_of, expected, by_release[release]
            ):
                drifts.append(
                    Drift(
                        backend.name,
                        release,
                        package,
                        expected or "none",
                        str(found) if found else "none",
                        value=str(found) if found else None,
                    )
                )
    return drifts


def _serves_for(
    reader: Reader, newest_of: dict[Version, File], expected: str | None, torch: list[File]
) -> bool:
    """Whether the catalog's pairing is served and admits this release's torch: torchaudio 2.11.0
    (no torch requirement) is the pairing of 2.12-2.14 on their indexes, not only of 2.11."""
    file = next((f for v, f in newest_of.items() if expected and v.public == expected), None)
    if file is None:
        return False
    requires = reader.requires(file)
    if requires is None:
        return False
    pin = next((r for r in requires if canonicalize_name(r.name) == "torch"), None)
    newest = max(f.version for f in torch)
    return pin is None or not pin.specifier or pin.specifier.contains(newest, prereleases=False)


def _paired_release(reader: Reader, file: File, torch_builds: dict[Version, datetime | None]) -> str | None:
    """The torch release a torchvision/torchaudio build is for: the one torch version its
    Requires-Dist pins; for a floor (torchvision 0.29 says torch>=2.14.0) the newest admitted torch
    uploaded no later than a day after it; without any torch requirement (torchaudio 2.11) the
    release of its own version number. Without PEP 658 metadata only the upload time is left."""
    requires = reader.requires(file)
    if requires is None:
        if file.upload_time is None:
            return None  # nothing to pair by: say nothing rather than guess
        specifier = None
    else:
        torch = next((r for r in requires if canonicalize_name(r.name) == "torch"), None)
        if torch is None or not torch.specifier:
            own = _minor(file.version)
            return own if any(_minor(v) == own for v in torch_builds) else None
        specifier = torch.specifier
    admitted = sorted(
        v for v in torch_builds if specifier is None or specifier.contains(v, prereleases=False)
    )
    if file.upload_time is not None:
        before = [
            v for v in admitted if (t := torch_builds[v]) is None or t <= file.upload_time + timedelta(days=1)
        ]
        admitted = before if before or specifier is None else admitted
    return _minor(admitted[-1]) if admitted else None


# ---------------------------------------------------------------------------------------------
# Indexes the catalog does not know


def survey_backends(catalog: Catalog, reader: Reader) -> list[Drift]:
    """Backend indexes that answer but are not in the catalog (probed by s3_management's naming
    rules, plus any such name the root listing shows), and catalog indexes that do not answer."""
    known = {b.index for b in catalog.backends.values()}
    pattern = re.compile(r"^(cpu|xpu|cu\d+|rocm\d+(\.\d+)+)$")
    listed = {p for p in reader.root_projects() if pattern.match(p)}
    candidates = sorted(set(CANDIDATE_BACKENDS) | listed | known)
    with ThreadPoolExecutor(max_workers=8) as pool:
        present = dict(zip(candidates, pool.map(reader.index_exists, candidates), strict=True))
    drifts = []
    for name in candidates:
        if present[name] and name not in known:
            drifts.append(Drift(name, None, "backend", "not in the catalog", "an index with torch wheels"))
    return drifts


# ---------------------------------------------------------------------------------------------


def survey(
    index_url: str,
    catalog: Catalog | None = None,
    backend: str | None = None,
    new_backends: bool = True,
    only_new: bool = False,
) -> list[Drift]:
    """backend: that backend only; otherwise every backend, and (new_backends) indexes the
    catalog lacks. only_new: only the latter (a CI job of its own)."""
    catalog = catalog or load()
    reader = Reader(index_url)
    names = [] if only_new else [backend] if backend else list(catalog.backends)
    with ThreadPoolExecutor(max_workers=4) as pool:
        per_backend = list(pool.map(lambda name: survey_backend(catalog, reader, name), names))
    drifts = [d for found in per_backend for d in found]
    if new_backends and backend is None:
        drifts += survey_backends(catalog, reader)
    return drifts
