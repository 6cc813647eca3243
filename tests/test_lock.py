"""Every answer set in the matrix renders and `uv lock`s against the PyTorch indexes (the
stand-in by default, `--index-url URL` for any other), and the lock installs, per extra and per
platform, exactly the build the catalog says.

The expectations come from uv_torch_template.expectations.matrix and .oracle (Python, from the catalog), not
from the template's Jinja: the two are written independently, and this test is where they meet.
`nox -s lock` runs the same check (uv_torch_template.checks.lock_check) over the exhaustive matrix.
"""

from __future__ import annotations

import pytest

from uv_torch_template.catalog import load
from uv_torch_template.checks.lock_check import check_lock, lock_failed
from uv_torch_template.checks.lockfile import Lock
from uv_torch_template.expectations.matrix import STRATEGIES, runnable_lock_matrix
from uv_torch_template.harness.render import render
from uv_torch_template.harness.uvrun import available_pythons, run_uv

CATALOG = load()
PYTHONS = available_pythons()
MATRIX = runnable_lock_matrix(CATALOG)
EXHAUSTIVE = runnable_lock_matrix(CATALOG, exhaustive=True)


def test_matrix_is_broad():
    """Every backend and every strategy, every platform alone, all backends at once, every
    companion set, lowest and highest Python and torch; the exhaustive matrix (nox) has every
    backend under every strategy it is valid for."""
    assert len({c.id for c in MATRIX}) == len(MATRIX)
    assert {"pypi", "library", *STRATEGIES} <= {c.strategy for c in MATRIX}
    for name in CATALOG.backends:
        assert any(c.strategy in STRATEGIES and name in c.backends for c in MATRIX), name
        for strategy in STRATEGIES:
            assert any(c.strategy == strategy and name in c.backends for c in EXHAUSTIVE), (name, strategy)
    assert set(MATRIX) <= set(EXHAUSTIVE)
    assert any(set(c.backends) == set(CATALOG.backends) for c in MATRIX)
    for platform in CATALOG.platforms:
        assert any(c.lock_platforms == (platform,) for c in MATRIX), platform
    assert {(), ("torchvision",), ("torchvision", "torchaudio")} <= {c.torch_packages for c in MATRIX}
    assert {CATALOG.python_versions[0], PYTHONS[-1]} <= {c.python_version for c in MATRIX}
    assert {CATALOG.releases[0].torch, CATALOG.newest.torch} <= {c.torch_version for c in MATRIX}


def test_default_matrix_stays_small_as_the_catalog_grows():
    """One answer set per backend plus a fixed set: the suite's time budget holds."""
    assert len(MATRIX) <= len(CATALOG.backends) + 25, len(MATRIX)


@pytest.mark.lock
@pytest.mark.parametrize("combo", MATRIX, ids=lambda c: c.id)
def test_renders_and_locks(combo, index_url, tmp_path):
    project = render(combo.answers(index_url=index_url), tmp_path / "project")
    result = run_uv(project, "lock")
    if result.returncode != 0:  # what the catalog promised that uv could not find, then uv's words
        last = result.output.strip().splitlines()[-1] if result.output.strip() else "no output"
        pytest.fail("\n".join(map(str, lock_failed(CATALOG, combo, last))) + "\n\n" + result.output)
    disagreements = check_lock(CATALOG, Lock.load(project / "uv.lock"), combo, index_url)
    assert not disagreements, "the lock contradicts the catalog:\n" + "\n".join(map(str, disagreements))
