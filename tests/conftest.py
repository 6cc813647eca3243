"""Shared fixtures for the template's tests."""

from __future__ import annotations

import pytest

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
