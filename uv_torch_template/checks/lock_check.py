"""The lock check: does a uv.lock install what the catalog promises, on any index?

One implementation for the test suite (against the stand-in) and for `nox -s lock` (against the
real indexes, a mirror or the stand-in). Every disagreement is reported as the catalog fact it
contradicts (backend, release, platform, expected, found), so a failure against the real
indexes says which line of catalog.yml to change, not only that `uv lock` failed.
"""

from __future__ import annotations

from dataclasses import dataclass

from uv_torch_template.catalog import PYPI_BUILD, Catalog, Release, load
from uv_torch_template.checks.lockfile import PYPI, Lock, Resolved
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
    fact: str  # label, index, release, torchvision, torchaudio, triton, pypi-only, lock
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
    if build == variant.backend and build != PYPI_BUILD:
        # The newest release the catalog says this index carries for the answer set.
        newest = catalog.backends[build].newest_version(release.torch)
        if public != newest:
            disagree("release", newest, public)
    elif build == PYPI_BUILD and not public.startswith(f"{release.torch}."):
        disagree("release", f"{release.torch}.*", public)

    for package in combo.torch_packages:
        companion = installed.get(package)
        wanted = _paired(catalog, build, release, package)
        if build == variant.backend and build != PYPI_BUILD:
            expected = _with_label(wanted, label)
            if companion is None or companion.version != expected:
                disagree(package, expected, _shown(companion))
        elif companion is None or companion.local_label != label:
            disagree(package, f"a {package} labelled {label or 'none'}", _shown(companion))
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

    # Nothing else comes from a PyTorch index: numpy, jinja2 and the rest are PyPI's.
    for name, package in sorted(installed.items()):
        if name not in {*TORCH_PACKAGES, *tritons} and not package.from_pypi:
            disagree("pypi-only", f"{name} from {PYPI}", f"{package.version} from {package.source}")
    return out


def _paired(catalog: Catalog, build: str, release: Release, package: str) -> str | None:
    """torchvision / torchaudio of the patch release this backend's newest build is."""
    if build == PYPI_BUILD:
        return release.companion_version(package)
    newest = catalog.backends[build].newest_version(release.torch)
    patch = next(p for p in release.builds if p.version == newest)
    return {"torchvision": patch.torchvision, "torchaudio": patch.torchaudio}[package]


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
