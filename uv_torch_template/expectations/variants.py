"""What each answer set must lock to, computed in Python from the catalog alone: per variant,
the build every lock platform installs and the torch release it resolves to.

A deliberate second implementation of includes/plan.jinja (docs/adr/0006): tests/test_lock.py
compares the two over the exhaustive matrix, and checks.lock_check compares real locks with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from uv_torch_template.catalog import PYPI_BUILD, Catalog, extra_name, load

if TYPE_CHECKING:
    from uv_torch_template.expectations.matrix import Combo


def chosen_backends(combo: Combo) -> list[str]:
    """The backends whose indexes the answers use (none: PyPI's torch)."""
    return load().strategies[combo.strategy].chosen_backends(combo.backends)


def usable_releases(catalog: Catalog, backend: str, combo: Combo) -> list[str]:
    """Releases of a backend the lock may take: at or above the floor, for this Python, paired."""
    return [
        release.torch
        for release in catalog.releases_from(combo.torch_version)
        if backend == PYPI_BUILD or catalog.backends[backend].carries(release.torch)
        if combo.python_version in release.python
        if all(release.companion_version(p) for p in combo.torch_packages)
    ]


@dataclass(frozen=True)
class Variant:
    extra: str | None
    backend: str  # asked for; PYPI_BUILD where the project installs PyPI's torch
    builds: dict[str, str]  # platform -> backend whose wheels it installs
    release: str  # the torch release the asked backend resolves to


def sync_command(extra: str | None) -> str:
    """How a variant is installed: `uv sync`, or `uv sync --extra <its extra>`."""
    return f"uv sync --extra {extra}" if extra else "uv sync"


def expected_variants(catalog: Catalog, combo: Combo) -> list[Variant]:
    strategy = catalog.strategies[combo.strategy]
    platforms = [p for p in catalog.platforms if p in combo.lock_platforms]
    chosen = chosen_backends(combo)
    if not chosen:
        asked = [PYPI_BUILD]
    elif strategy.extras:
        asked = chosen
    else:
        accelerators = [b for b in chosen if b != "cpu"]
        asked = [accelerators[0] if accelerators else "cpu"]
    if strategy.one_backend:
        platforms = [p for p in platforms if p in catalog.backends[asked[0]].platforms]
    variants = []
    for backend in asked:
        builds = {
            p: backend if backend == PYPI_BUILD or p in catalog.backends[backend].platforms else "cpu"
            for p in platforms
        }
        extra = extra_name(backend) if strategy.extras else None
        variants.append(Variant(extra, backend, builds, usable_releases(catalog, backend, combo)[-1]))
    return variants


def expected_label(catalog: Catalog, build: str, platform: str) -> str | None:
    if build == PYPI_BUILD:
        return None
    return catalog.backends[build].label_on(platform)
