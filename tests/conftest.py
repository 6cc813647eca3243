"""Shared fixtures for the template's tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from filelock import FileLock

from uv_torch_template.expectations.answer_sets import ANSWER_SETS
from uv_torch_template.harness.render import render_afresh
from uv_torch_template.standin import StandinIndex


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--index-url",
        default=None,
        help="base URL of the PyTorch indexes the lock tests check (default: the offline stand-in)",
    )


@pytest.fixture(scope="session")
def standin():
    """The stand-in PyTorch index for the whole session; real wheels in PIP_FIND_LINKS (the
    CPU torch build, if present) replace the stubs of the same name."""
    with StandinIndex() as index:
        yield index


@pytest.fixture(scope="session")
def index_url(request: pytest.FixtureRequest) -> str:
    """The PyTorch index base URL the lock tests render and check against: --index-url, or
    the stand-in (started only when needed)."""
    given = request.config.getoption("--index-url")
    if given:
        return given.rstrip("/")
    return request.getfixturevalue("standin").url


@pytest.fixture(scope="session")
def rendered_set(tmp_path_factory: pytest.TempPathFactory):
    """name -> the project of that named answer set (expectations.answer_sets), rendered from
    the working tree once per test session and shared by every file and xdist worker, through
    pytest-xdist's documented file-lock pattern. Tests read it; one that edits a project copies it.
    """
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):  # each worker's base folder sits in the session's
        shared = shared.parent
    root = shared / "answer-sets"
    root.mkdir(exist_ok=True)
    known: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in known:
            project, done = root / name, root / f"{name}.rendered"
            with FileLock(str(root / f"{name}.lock")):
                if not done.exists():
                    render_afresh(ANSWER_SETS[name].answers(), project)
                    done.touch()
            known[name] = project
        return known[name]

    return get
