"""The lock check names each kind of disagreement on its own: a lock that is right but for one
fact yields exactly that fact, whichever it is. The lock here is what `uv sync` would install,
built from the catalog; each case changes one package the way a wrong index would serve it.
"""

from __future__ import annotations

import dataclasses

import pytest

from uv_torch_template.catalog import load
from uv_torch_template.checks.lock_check import check_lock, index_of
from uv_torch_template.checks.lockfile import PYPI, Resolved
from uv_torch_template.expectations.matrix import Combo
from uv_torch_template.expectations.variants import expected_label, expected_variants

CATALOG = load()
INDEX_URL = "https://mirror.example/whl"
PLAIN = Combo("single", ("cu130",), "2.13", lock_platforms=("linux-x86_64",))
CUDA = dataclasses.replace(PLAIN, torch_packages=("torchvision",))
ROCM = Combo("single", ("rocm7.2",), "2.13", lock_platforms=("linux-x86_64",))


class InstalledLock:
    """A lock reduced to what check_lock asks of it: what one extra installs on one platform."""

    def __init__(self, combo: Combo):
        self.sets: dict[tuple[str | None, str], dict[str, Resolved]] = {}
        for variant in expected_variants(CATALOG, combo):
            for platform, build in variant.builds.items():
                self.sets[variant.extra, platform] = _right(combo, variant.release, build, platform)

    def installed(self, extra: str | None, platform: str, python: str) -> dict[str, Resolved]:
        return self.sets[extra, platform]

    def change(self, name: str, **fields: str) -> InstalledLock:
        for packages in self.sets.values():
            packages[name] = dataclasses.replace(packages[name], **fields)
        return self


def _right(combo: Combo, release_name: str, build: str, platform: str) -> dict[str, Resolved]:
    """What the catalog says this build installs: the newest patch the index carries, labelled,
    its paired companions from the same index, the triton its release pins, numpy from PyPI."""
    backend = CATALOG.backends[build]
    release = CATALOG.release(release_name)
    index = index_of(CATALOG, INDEX_URL, build)
    label = expected_label(CATALOG, build, platform)
    newest = backend.newest_version(release_name)
    patch = next(p for p in release.builds if p.version == newest)

    def labelled(version: str) -> str:
        return f"{version}+{label}" if label else version

    packages = {"torch": Resolved("torch", labelled(newest), index)}
    for package in combo.torch_packages:
        packages[package] = Resolved(package, labelled(getattr(patch, package)), index)
    triton = release.companions.get(backend.family)
    if triton is not None:
        packages[triton.package] = Resolved(triton.package, triton.version, index)
    packages["numpy"] = Resolved("numpy", "2.3.4", PYPI)
    return packages


def facts(combo: Combo, lock: InstalledLock) -> set[tuple[str, str]]:
    return {(d.fact, d.found) for d in check_lock(CATALOG, lock, combo, INDEX_URL)}


def test_a_lock_that_installs_what_the_catalog_says_agrees():
    for combo in (CUDA, ROCM):
        assert facts(combo, InstalledLock(combo)) == set()


def _other_backend(family: str, than: str) -> str:
    return next(n for n, b in CATALOG.backends.items() if b.family == family and n != than)


def _another_release(backend: str, version: str) -> str:
    """A release this backend carries other than `version`: what a lock that missed takes."""
    versions = [CATALOG.backends[backend].newest_version(r) for r in CATALOG.backends[backend].torch]
    return next(v for v in reversed(versions) if v != version.split("+")[0])


@pytest.mark.parametrize(
    ("combo", "package", "change", "fact"),
    [
        # torch with another backend's label, from the right index
        (
            PLAIN,
            "torch",
            lambda r: {"version": r.version.split("+")[0] + "+" + _other_backend("cuda", "cu130")},
            "label",
        ),
        # the right build, from another index (a mirror's other folder)
        (
            PLAIN,
            "torch",
            lambda r: {"source": index_of(CATALOG, INDEX_URL, _other_backend("cuda", "cu130"))},
            "index",
        ),
        # an older release, labelled right
        (PLAIN, "torch", lambda r: {"version": f"{_another_release('cu130', r.version)}+cu130"}, "release"),
        # torchvision not the one paired with this torch
        (CUDA, "torchvision", lambda r: {"version": "0.1.0+cu130"}, "torchvision"),
        # the triton of another release
        (ROCM, CATALOG.release("2.13").companions["rocm"].package, lambda r: {"version": "0.0.1"}, "triton"),
        # numpy from the PyTorch index: the shadowing explicit indexes prevent
        (CUDA, "numpy", lambda r: {"source": index_of(CATALOG, INDEX_URL, "cu130")}, "pypi-only"),
    ],
    ids=["label", "index", "release", "companion", "triton", "foreign-package"],
)
def test_each_disagreement_is_named_on_its_own(combo, package, change, fact):
    lock = InstalledLock(combo)
    wrong = lock.sets[None, "linux-x86_64"][package]
    lock.change(package, **change(wrong))
    assert {found for found, _ in facts(combo, lock)} == {fact}
