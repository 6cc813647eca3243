"""The lock check: does a uv.lock install what the catalog promises, on any index?

One implementation for the test suite (against the stand-in) and for `nox -s lock` (against the
real indexes, a mirror or the stand-in). Every disagreement is reported as the catalog fact it
contradicts (backend, release, platform, expected, found), so a failure against the real
indexes says which line of catalog.yml to change, not only that `uv lock` failed.
"""

from __future__ import annotations

from dataclasses import dataclass

from packaging.version import Version

from uv_torch_template.catalog import PYPI_BUILD, Catalog, Release, load
from uv_torch_template.checks.lockfile import PYPI, Lock, Resolved
from uv_torch_template.evidence.store import admits
from uv_torch_template.expectations.matrix import Combo
from uv_torch_template.expectations.variants import Variant, expected_label, expected_variants

TORCH_PACKAGES = ("torch", *load().companion_packages)
ABSENT = "absent"


@dataclass(frozen=True)
class Disagreement:
    """One catalog fact the lock contradicts."""

    backend: str
    release: str  # the torch release (catalog key, "2.13") the fact belongs to
    platform: str
    # label, index, release, torchvision, torchaudio, triton, index-only, inconsistent, pypi-only, lock
    fact: str
    expected: str
    found: str
    where: str = ""  # the answer set and extra it was seen in

    def __str__(self) -> str:
        context = f"  [{self.where}]" if self.where else ""
        return (
            f"{self.backend} torch {self.release} on {self.platform}: {self.fact}: "
            f"expected {self.expected}, found {self.found}{context}"
        )


def index_of(catalog: Catalog, index_url: str, build: str) -> str:
    """The registry URL uv.lock records for packages from a backend's index (or PyPI)."""
    return PYPI if build == PYPI_BUILD else f"{index_url.rstrip('/')}/{catalog.backends[build].index}"


def _with_label(version: str | None, label: str | None) -> str:
    if version is None:
        return ABSENT
    return f"{version}+{label}" if label else version


def _shown(package: Resolved | None) -> str:
    return ABSENT if package is None else package.version


def check_lock(catalog: Catalog, lock: Lock, combo: Combo, index_url: str) -> list[Disagreement]:
    """Every disagreement between a lock and what the catalog says it must install."""
    found: list[Disagreement] = []
    for variant in expected_variants(catalog, combo):
        for platform, build in variant.builds.items():
            found += _check_build(catalog, lock, combo, variant, platform, build, index_url)
    return found


def _check_build(
    catalog: Catalog, lock: Lock, combo: Combo, variant: Variant, platform: str, build: str, index_url: str
) -> list[Disagreement]:
    release = catalog.release(variant.release)
    where = f"{combo.id}, {f'extra {variant.extra}' if variant.extra else 'default'}"
    installed = lock.installed(variant.extra, platform, combo.python_version)
    label = expected_label(catalog, build, platform)
    index = index_of(catalog, index_url, build)
    out: list[Disagreement] = []

    def disagree(fact: str, expected: str, found: str) -> None:
        out.append(Disagreement(build, release.torch, platform, fact, expected, found, where))

    torch = installed.get("torch")
    if torch is None:
        disagree("torch", f"torch from {index}", ABSENT)
        return out
    if torch.local_label != label:
        disagree("label", f"+{label}" if label else "no label", f"torch {torch.version}")
    if torch.source != index:
        disagree("index", index, f"torch {torch.version} from {torch.source}")
    public = torch.version.split("+")[0]
    # A build whose METADATA differs per platform installs broken (2.6.0+cu126 on x86_64 without
    # its nvidia-* wheels): a lock that takes it is refused, whatever else it gets right.
    if build != PYPI_BUILD and public in catalog.backends[build].inconsistent:
        disagree("inconsistent", f"not {torch.version}", catalog.backends[build].inconsistent[public])
    if build == variant.backend and build != PYPI_BUILD:
        # The newest release the catalog says this index carries for the answer set.
        newest = catalog.backends[build].newest_version(release.torch)
        if public != newest:
            disagree("release", newest, public)
    elif build == PYPI_BUILD and not public.startswith(f"{release.torch}."):
        disagree("release", f"{release.torch}.*", public)

    companion_label = None if build == PYPI_BUILD else catalog.backends[build].companion_label_on(platform)
    for package in combo.torch_packages:
        companion = installed.get(package)
        wanted = _paired(catalog, build, release, package, public, combo.python_version)
        if build == variant.backend and build != PYPI_BUILD:
            expected = _with_label(wanted, companion_label)
            if companion is None or companion.version != expected:
                disagree(package, expected, _shown(companion))
        elif companion is None or companion.local_label != companion_label:
            disagree(package, f"a {package} labelled {companion_label or 'none'}", _shown(companion))
        if companion is not None and companion.source != torch.source:
            disagree(package, f"{package} from {torch.source}", f"from {companion.source}")

    # ROCm and XPU builds bring the triton their release pins, from the same index.
    tritons: set[str] = set()
    if build == variant.backend and build != PYPI_BUILD:
        triton = release.companions.get(catalog.backends[build].family)
        if triton is not None and public == catalog.backends[build].newest_version(release.torch):
            tritons.add(triton.package)
            got = installed.get(triton.package)
            if got is None or got.version != triton.version:
                disagree("triton", f"{triton.package} {triton.version}", _shown(got))
            elif got.source != torch.source:
                disagree("triton", f"{triton.package} from {torch.source}", f"from {got.source}")
        # What only this index serves (rocm7.14's `rocm` family) must come from it, every package.
        family = catalog.backends[build].index_only
        if family is not None and release.torch in family.releases:
            for name in family.packages:
                tritons.add(name)
                got = installed.get(name)
                if got is None or got.source != torch.source:
                    disagree("index-only", f"{name} {family.version} from {torch.source}", _from(got))

    # Nothing else comes from a PyTorch index: numpy, jinja2 and the rest are PyPI's.
    for name, package in sorted(installed.items()):
        if name not in {*TORCH_PACKAGES, *tritons} and not package.from_pypi:
            disagree("pypi-only", f"{name} from {PYPI}", f"{package.version} from {package.source}")
    return out


def _from(package: Resolved | None) -> str:
    return ABSENT if package is None else f"{package.version} from {package.source}"


def _paired(
    catalog: Catalog, build: str, release: Release, package: str, torch: str, python: str
) -> str | None:
    """torchvision / torchaudio a lock takes with this torch: the patch release's own pairing, or
    the newest later pairing the index serves whose Requires-Dist admits this torch and whose
    Requires-Python this project's Python (as PyPI's METADATA of that version says: torchvision
    0.29.2 asks for torch>=2.14.0, so a Python 3.10 lock takes it with torch 2.14.1)."""
    if build == PYPI_BUILD:
        own = release.companion_version(package)
        carried = [r.torch for r in catalog.releases]
    else:
        newest = catalog.backends[build].newest_version(release.torch)
        patch = next(p for p in release.builds if p.version == newest)
        own = {"torchvision": patch.torchvision, "torchaudio": patch.torchaudio}[package]
        carried = list(catalog.backends[build].torch)
    later = [r for r in catalog.releases[catalog.releases.index(release) + 1 :] if r.torch in carried]
    candidates = [own] if own else []
    candidates += [
        v for r in later if (v := r.companion_version(package)) and admits(package, v, torch, python)
    ]
    return max(candidates, key=Version) if candidates else None


def lock_failed(catalog: Catalog, combo: Combo, message: str) -> list[Disagreement]:
    """A lock that did not resolve contradicts every variant's promise at once; name them."""
    return [
        Disagreement(
            variant.backend,
            variant.release,
            "+".join(variant.builds) or "-",
            "lock",
            "uv lock resolves",
            message,
            combo.id,
        )
        for variant in expected_variants(catalog, combo)
    ]
