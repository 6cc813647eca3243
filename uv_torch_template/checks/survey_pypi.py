"""`nox -s survey -- --pypi`: read PyPI as served and name every catalog fact it contradicts.

PyPI settles what it ships: torch's releases and patches with their upload dates, Python tags and
Requires-Python, the torchvision/torchaudio pairings (from their Requires-Dist, or upload time
for floor pins), the pins of the CUDA builds it mirrors (facts.yml), and that the index-only
families (rocm7.14's `rocm`) are still index-only. The same code judges the recorded store
(tests/test_evidence.py); here it judges PyPI live, or any PyPI-shaped simple API.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from uv_torch_template.catalog import Catalog, load
from uv_torch_template.checks.evidence_check import (
    Contradiction,
    cuda_pin_contradictions,
    index_only_contradictions,
    pin_contradictions,
    pinned_projects,
    pypi_builds,
    pypi_contradictions,
)
from uv_torch_template.evidence.pypi import PYPI_SIMPLE, PyPI
from uv_torch_template.evidence.record import PYPI_PROJECTS, record_project, version_of


def read_pypi(base_url: str = PYPI_SIMPLE, catalog: Catalog | None = None) -> dict[str, dict[str, Any]]:
    """PyPI's records of the projects the catalog's facts rest on, plus each index-only package."""
    catalog = catalog or load()
    pypi = PyPI(base_url)
    projects = dict(PYPI_PROJECTS)
    for backend in catalog.backends.values():
        if backend.index_only:
            projects.update(dict.fromkeys(backend.index_only.packages, "0"))
    return {project: record_project(pypi, project, oldest) for project, oldest in projects.items()}


def survey_pypi(
    facts: dict[str, Any],
    base_url: str = PYPI_SIMPLE,
    catalog: Catalog | None = None,
    records: dict[str, dict[str, Any]] | None = None,
    read_pins: bool = True,
) -> list[Contradiction]:
    """facts: the stand-in's facts.yml (its CUDA pins are judged too: PyPI's METADATA of the
    builds it mirrors, and that every pinned nvidia-*/cuda-*/triton version exists there)."""
    catalog = catalog or load()
    if records is None:
        records = read_pypi(base_url, catalog)
    versions = read_versions(base_url, pinned_projects(facts)) if read_pins else {}
    return (
        pypi_contradictions(catalog, records, base_url.rstrip("/"))
        + cuda_pin_contradictions(catalog, facts, records["torch"], pypi_builds())
        + index_only_contradictions(catalog, records)
        + pin_contradictions(catalog, facts, versions, base_url.rstrip("/"))
    )


def read_versions(base_url: str, projects: set[str]) -> dict[str, list[str]]:
    """The versions PyPI lists for each project (the nvidia/cuda/triton families the builds pin)."""
    pypi = PyPI(base_url)

    def versions(project: str) -> list[str]:
        found = set()
        for file in pypi.files(project):
            parsed = version_of(file["filename"])
            if parsed is not None:
                found.add(str(parsed[0]))
        return sorted(found)

    with ThreadPoolExecutor(max_workers=8) as pool:
        return dict(zip(sorted(projects), pool.map(versions, sorted(projects)), strict=True))
