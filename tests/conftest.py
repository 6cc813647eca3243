"""Shared fixtures for the template's tests."""

from __future__ import annotations

import pytest

from uv_torch_template.standin import StandinIndex


@pytest.fixture(scope="session")
def standin():
    """The stand-in PyTorch index for the whole session; real wheels in PIP_FIND_LINKS (the
    CPU torch build, if present) replace the stubs of the same name."""
    with StandinIndex() as index:
        yield index
