"""The seed's trap, reproduced against the stand-in: a PyTorch index that is not explicit shadows
PyPI (uv's first-index strategy), so the stale numpy the PyTorch indexes carry wins, or the lock
fails. The template's own configuration locks the same project with numpy from PyPI.
"""

from __future__ import annotations

import re

import pytest

from tests.edits import add_user_dependencies
from uv_torch_template.checks.lockfile import Lock
from uv_torch_template.expectations.matrix import Combo
from uv_torch_template.harness.render import render
from uv_torch_template.harness.uvrun import run_uv

COMBO = Combo(
    "extras", ("cpu", "cu130"), "2.13", torch_packages=("torchvision",), lock_platforms=("linux-x86_64",)
)


def with_user_dependency(project, requirement: str) -> None:
    """What a user does first: add their own dependencies (here, a numpy the stale copy is older than)."""
    add_user_dependencies(project, requirement)


def without_explicit(project) -> None:
    pyproject = project / "pyproject.toml"
    text, count = re.subn(r"\nexplicit = true\n", "\n", pyproject.read_text())
    assert count >= 2
    pyproject.write_text(text)


@pytest.fixture
def project(standin, tmp_path):
    return render(COMBO.answers(index_url=standin.url), tmp_path / "project")


@pytest.mark.lock
def test_template_configuration_takes_numpy_from_pypi(project):
    with_user_dependency(project, "numpy>=2.2")
    run_uv(project, "lock").check()
    installed = Lock.load(project / "uv.lock").installed("cu130", "linux-x86_64", "3.12")
    assert installed["numpy"].from_pypi
    assert installed["torch"].local_label == "cu130"


@pytest.mark.lock
def test_non_explicit_index_fails_on_the_users_numpy(project):
    with_user_dependency(project, "numpy>=2.2")
    without_explicit(project)
    result = run_uv(project, "lock")
    assert result.returncode != 0
    assert "numpy" in result.output and "2.1.2" in result.output, result.output


@pytest.mark.lock
def test_non_explicit_index_silently_takes_the_stale_numpy(project, standin):
    """Without a numpy bound of the user's, nothing fails: torchvision's numpy comes from the
    PyTorch index, an old copy, and only the lock shows it."""
    without_explicit(project)
    run_uv(project, "lock").check()
    numpy = Lock.load(project / "uv.lock").installed("cu130", "linux-x86_64", "3.12")["numpy"]
    assert numpy.source.startswith(standin.url) and numpy.version == "2.1.2"


@pytest.mark.lock
def test_overriding_an_index_on_the_command_line_brings_the_trap_back(standin, tmp_path):
    """Why a mirror goes into index_url: `uv lock --index name=url` replaces the explicit index
    with a non-explicit one (seen with uv 0.13.9)."""
    project = render(COMBO.answers(index_url="https://download.pytorch.org/whl"), tmp_path / "project")
    with_user_dependency(project, "numpy>=2.2")
    result = run_uv(
        project,
        "lock",
        "--index",
        f"pytorch-cpu={standin.url}/cpu",
        "--index",
        f"pytorch-cu130={standin.url}/cu130",
    )
    assert result.returncode != 0
    assert "numpy" in result.output, result.output


def test_unsafe_best_match_appears_nowhere_in_the_template():
    from uv_torch_template.harness.render import REPO_ROOT

    for path in [
        *(REPO_ROOT / "template").rglob("*"),
        REPO_ROOT / "copier.yml",
        *(REPO_ROOT / "includes").glob("*"),
    ]:
        if path.is_file():
            assert "unsafe-best-match" not in path.read_text(errors="replace"), path
