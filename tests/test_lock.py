"""Every answer set in the matrix renders and `uv lock`s against the PyTorch indexes (the
stand-in by default, `--index-url URL` for any other), and the lock installs, per extra and per
platform, exactly the build the catalog says.

The expectations come from uv_torch_template.expectations (Python, from the catalog), not from the
template's Jinja: the two are written independently, and this test is where they meet, twice: the
plan Copier computes (includes/plan.jinja, through copier.yml's questions without rendering a
file) agrees with them over the exhaustive matrix, in well under a second a set; the lock of each
set of the default matrix, which covers each rule once, agrees with them too. `nox -s lock --
--standin` locks the exhaustive matrix with the same check (uv_torch_template.checks.lock_check).
"""

from __future__ import annotations

import pytest

from uv_torch_template.catalog import PYPI_BUILD, load
from uv_torch_template.checks.lock_check import check_lock, lock_failed
from uv_torch_template.checks.lockfile import Lock
from uv_torch_template.expectations.matrix import STRATEGIES, lock_matrix, runnable_lock_matrix
from uv_torch_template.expectations.variants import expected_variants, sync_command
from uv_torch_template.harness.questions import answer
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
    assert set(CATALOG.strategies) == {c.strategy for c in MATRIX}
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
    """A fixed number of sets, whatever the catalog holds: the suite's time budget holds."""
    assert len(MATRIX) <= 20, len(MATRIX)


@pytest.mark.parametrize("combo", lock_matrix(CATALOG, exhaustive=True), ids=lambda c: c.id)
def test_the_plan_agrees_with_the_expectations(combo):
    """What every platform of every variant installs, as the template's plan says and as the
    Python expectations say: the same extras, builds (CPU fallbacks included), lock platforms
    and torch release. PyPI's torch has no release in the plan: the lock takes PyPI's newest."""
    plan = answer(combo.answers())["plan"]
    expected = expected_variants(CATALOG, combo)
    # The template reads the catalog through JSON, keys sorted: the same platforms, another order.
    assert sorted(plan["environments"]) == sorted(expected[0].builds)
    planned = {v["backend"]: (v["extra"], v["builds"], v["resolves"]) for v in plan["variants"]}
    assert [v["sync"] for v in plan["variants"]] == [sync_command(v["extra"]) for v in plan["variants"]]
    assert planned.keys() == {v.backend for v in expected}
    for variant in expected:
        extra, builds, resolves = planned[variant.backend]
        assert (extra, builds) == (variant.extra, variant.builds), variant.backend
        if variant.backend != PYPI_BUILD:
            assert resolves == variant.release, variant.backend


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
