"""Every answer set in the matrix renders and `uv lock`s against the stand-in PyTorch indexes,
and the lock installs, per extra and per platform, exactly the build the catalog says.

The expectations come from uv_torch_template.matrix (Python, from the catalog), not from the
template's Jinja: the two are written independently, and this test is where they meet.
"""

from __future__ import annotations

import pytest

from uv_torch_template.catalog import load
from uv_torch_template.lockfile import PYPI, Lock
from uv_torch_template.matrix import Combo, expected_label, expected_variants, runnable_lock_matrix
from uv_torch_template.render import render
from uv_torch_template.uvrun import available_pythons, run_uv

CATALOG = load()
PYTHONS = available_pythons()
MATRIX = runnable_lock_matrix(CATALOG)
TORCH_PACKAGES = {"torch", "torchvision", "torchaudio"}


def test_matrix_is_broad():
    """The issue's floor: at least 40 distinct answer sets, every backend under every strategy it
    is valid for, every platform alone, all backends at once, lowest and highest Python and torch."""
    assert len(MATRIX) >= 40
    assert len({c.id for c in MATRIX}) == len(MATRIX)
    for name in CATALOG.backends:
        for strategy in ("extras", "platform", "single"):
            assert any(c.strategy == strategy and name in c.backends for c in MATRIX), (name, strategy)
    assert {"pypi", "library"} <= {c.strategy for c in MATRIX}
    assert any(set(c.backends) == set(CATALOG.backends) for c in MATRIX)
    for platform in CATALOG.platforms:
        assert any(c.lock_platforms == (platform,) for c in MATRIX), platform
    assert {(), ("torchvision",), ("torchvision", "torchaudio")} <= {c.torch_packages for c in MATRIX}
    assert {CATALOG.python_versions[0], PYTHONS[-1]} <= {c.python_version for c in MATRIX}
    assert {CATALOG.releases[0].torch, CATALOG.newest.torch} <= {c.torch_version for c in MATRIX}


def _index_of(standin_url: str, build: str) -> str:
    return PYPI if build == "pypi" else f"{standin_url}/{CATALOG.backends[build].index}"


def assert_lock_matches_catalog(lock: Lock, combo: Combo, standin_url: str) -> None:
    for variant in expected_variants(CATALOG, combo):
        release = CATALOG.release(variant.release)
        for platform, build in variant.builds.items():
            where = f"{variant.extra or 'default'} on {platform}"
            installed = lock.installed(variant.extra, platform, combo.python_version)
            label = expected_label(CATALOG, build, platform)
            torch = installed["torch"]

            assert torch.local_label == label, f"{where}: torch {torch.version}, expected +{label}"
            assert torch.source == _index_of(standin_url, build), f"{where}: torch from {torch.source}"
            if build == variant.backend and build != "pypi":
                assert torch.version.split("+")[0] == release.version, f"{where}: {torch.version}"
            elif build == "pypi":
                assert torch.version.startswith(f"{variant.release}."), f"{where}: {torch.version}"

            for package in combo.torch_packages:
                companion = installed[package]
                assert companion.local_label == label, f"{where}: {package} {companion.version}"
                assert companion.source == torch.source, f"{where}: {package} from {companion.source}"

            # ROCm and XPU builds bring the triton their release pins, from the same index.
            triton_names = set()
            if build == variant.backend and build != "pypi":
                resolved = CATALOG.release(torch.version.split("+")[0].rsplit(".", 1)[0])
                triton = resolved.companions.get(CATALOG.backends[build].family)
                if triton is not None:
                    triton_names.add(triton.package)
                    assert installed[triton.package].version == triton.version, (
                        f"{where}: {installed[triton.package]}"
                    )
                    assert installed[triton.package].source == torch.source, f"{where}: triton from elsewhere"

            # Nothing else comes from a PyTorch index: numpy, jinja2 and the rest are PyPI's.
            for name, package in installed.items():
                if name not in TORCH_PACKAGES | triton_names:
                    assert package.from_pypi, f"{where}: {name} {package.version} came from {package.source}"


@pytest.mark.lock
@pytest.mark.parametrize("combo", MATRIX, ids=lambda c: c.id)
def test_renders_and_locks(combo, standin, tmp_path):
    project = render(combo.answers(index_url=standin.url), tmp_path / "project")
    result = run_uv(project, "lock")
    assert result.returncode == 0, result.output
    assert_lock_matches_catalog(Lock.load(project / "uv.lock"), combo, standin.url)
