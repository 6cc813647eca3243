"""The answer sets the template is locked with, derived from the catalog.

One function builds the matrix for the pytest lock tests and for `nox -s render/lock/bench`, so
the two can never drift apart. What each answer set must lock to is expectations.variants's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from uv_torch_template.catalog import PYPI_BUILD, Catalog, load
from uv_torch_template.expectations.variants import chosen_backends, usable_releases
from uv_torch_template.harness.uvrun import available_pythons

# The lock platforms, in the catalog's order.
ALL_PLATFORMS = list(load().platforms)
# The strategies that install the `backends` answer's builds, in the catalog's order.
STRATEGIES = tuple(name for name, strategy in load().strategies.items() if strategy.backends)

BASE_ANSWERS: dict[str, Any] = {
    "project_name": "demo-project",
    "package_name": "demo_project",
    "description": "A rendered test project",
    "author_name": "Test Author",
    "author_email": "test@example.org",
    "ci": "github",
}


@dataclass(frozen=True)
class Combo:
    """One answer set: everything copier asks, except index_url (the caller's to choose)."""

    strategy: str
    backends: tuple[str, ...]
    torch_version: str
    python_version: str = load().default_python_version
    torch_packages: tuple[str, ...] = ()
    lock_platforms: tuple[str, ...] = tuple(ALL_PLATFORMS)
    ci: str = "github"
    per_backend: bool = field(default=False, compare=False)  # one backend of the exhaustive sweep

    @property
    def id(self) -> str:
        """A folder- and test-id-friendly name that says what the answers are."""
        parts = [self.strategy]
        if self.backends:
            parts.append("+".join(self.backends))
        parts += [f"torch{self.torch_version}", f"py{self.python_version}"]
        if self.torch_packages:
            parts.append("+".join(p.removeprefix("torch") for p in self.torch_packages))
        if tuple(self.lock_platforms) != tuple(ALL_PLATFORMS):
            parts.append("+".join(self.lock_platforms))
        return "-".join(parts)

    def answers(self, index_url: str | None = None) -> dict[str, Any]:
        data = dict(BASE_ANSWERS)
        data.update(
            strategy=self.strategy,
            torch_version=self.torch_version,
            python_version=self.python_version,
            torch_packages=list(self.torch_packages),
            lock_platforms=list(self.lock_platforms),
            ci=self.ci,
        )
        strategy = load().strategies[self.strategy]
        if strategy.backends:
            data["backends"] = list(self.backends)
        if index_url is not None and strategy.uses_index:
            data["index_url"] = index_url
        return data


# --------------------------------------------------------------------------------------------
# The matrix.


def lock_matrix(
    catalog: Catalog | None = None, highest_python: str | None = None, exhaustive: bool = False
) -> list[Combo]:
    """Each rule once: every strategy, every lock platform alone, every companion set, extras
    from two backends to all of them at once (which locks every backend), CPU fallbacks, lowest
    and highest Python and torch. Its size does not grow with the catalog.

    exhaustive: also every backend under every strategy (its oldest and newest release), and all
    backends at the lowest Python (`nox -s lock -- --standin` locks it; tests/test_lock.py
    compares the plan with the expectations over it without locking).
    highest_python: the newest Python uv can use here, where that is older than the catalog's
    newest (uv lock needs an interpreter that satisfies requires-python).
    """
    catalog = catalog or load()
    lowest = catalog.python_versions[0]
    highest = highest_python or catalog.python_versions[-1]
    newest = catalog.newest.torch
    oldest = catalog.releases[0].torch
    combos: list[Combo] = []

    extras, one_backend, one_accelerator = (
        catalog.strategy_where(extras=True),
        catalog.strategy_where(one_backend=True),
        catalog.strategy_where(one_accelerator=True),
    )
    pypi, library = catalog.strategy_where(uses_index=False), catalog.strategy_where(publishes=True)

    if exhaustive:
        for name, backend in catalog.backends.items():
            first, last = backend.torch[0], backend.torch[-1]
            combos += [
                Combo(extras, (name,), first, per_backend=True),
                Combo(one_backend, (name,), last, python_version="3.13", per_backend=True),
                Combo(one_accelerator, (name,), first, torch_packages=("torchvision",), per_backend=True),
            ]

    combos += [
        Combo(pypi, (), oldest, python_version=lowest),
        Combo(pypi, (), newest, python_version=highest),
        Combo(library, (), "2.13"),
        Combo(library, (), oldest, python_version=lowest, torch_packages=("torchvision", "torchaudio")),
    ]

    # Extras that grow from two backends to all of them (which locks every backend once).
    combos += [
        Combo(extras, ("cpu", "cu130"), "2.13"),
        Combo(extras, ("cpu", "cu126", "cu130", "cu132"), "2.12", torch_packages=("torchvision",)),
        Combo(extras, ("cpu", "rocm7.1", "rocm7.2"), "2.11", torch_packages=("torchvision", "torchaudio")),
        Combo(extras, ("cpu", "cu130", "rocm7.2", "xpu"), "2.13", python_version="3.11"),
        Combo(extras, tuple(catalog.backends), oldest, torch_packages=("torchvision",)),
    ]
    if exhaustive:  # all backends at once is the costliest lock: the suite locks it once
        combos.append(Combo(extras, tuple(catalog.backends), oldest, python_version=lowest))

    # Each lock platform on its own, with every backend that has wheels there.
    for platform in ALL_PLATFORMS:
        there = tuple(n for n, b in catalog.backends.items() if platform in b.platforms and b.carries("2.13"))
        combos.append(Combo(extras, there, "2.13", lock_platforms=(platform,)))
    combos += [
        Combo(
            one_accelerator,
            ("cpu", "cu130"),
            newest,
            python_version=highest,
            lock_platforms=("linux-x86_64", "macos-arm64"),
        ),
        Combo(
            one_accelerator,
            ("xpu",),
            "2.12",
            torch_packages=("torchvision",),
            lock_platforms=("linux-x86_64", "windows-x86_64"),
        ),
        Combo(
            one_backend,
            ("rocm7.2",),
            "2.11",
            torch_packages=("torchvision", "torchaudio"),
            lock_platforms=("linux-x86_64", "macos-arm64"),
        ),
    ]

    # Never two identical answer sets; keep the first occurrence (a per-backend one).
    unique: dict[Combo, Combo] = {}
    for combo in combos:
        unique.setdefault(combo, combo)
    return [c for c in unique.values() if _valid(catalog, c)]


def _valid(catalog: Catalog, combo: Combo) -> bool:
    """Drop combinations the template rightly refuses (say, a companion a backend never had)."""
    if combo.python_version not in catalog.release(combo.torch_version).python:
        return False
    for backend in chosen_backends(combo) or [PYPI_BUILD]:
        if not usable_releases(catalog, backend, combo):
            return False
        if backend != PYPI_BUILD and not set(catalog.backends[backend].platforms) & set(combo.lock_platforms):
            return False
    return True


def growth_series(catalog: Catalog | None = None) -> list[list[str]]:
    """Backend sets for the bench: the extras strategy from one backend to all, oldest floor."""
    catalog = catalog or load()
    names = list(catalog.backends)
    return [names[: n + 1] for n in range(len(names))]


def runnable_lock_matrix(
    catalog: Catalog | None = None, exhaustive: bool = False, backend: str | None = None
) -> list[Combo]:
    """The lock matrix as this machine can lock it: uv needs an interpreter that satisfies each
    project's requires-python, so the highest Python is the newest uv can find here.

    backend: only the answer sets that ask for it (one CI job per backend).
    """
    pythons = available_pythons()
    combos = lock_matrix(catalog, highest_python=pythons[-1] if pythons else None, exhaustive=exhaustive)
    if backend is not None:
        combos = [c for c in combos if backend in (chosen_backends(c) or [PYPI_BUILD])]
    return combos
