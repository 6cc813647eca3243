"""The catalog against the evidence store: what PyPI and public sources were seen to serve.

A catalog fact the evidence contradicts fails here, named with the fact and its source; each
case below puts back one of the contradictions the 2026-12 audit found and expects it named.
"""

from __future__ import annotations

import copy
import email.parser

import pytest

from uv_torch_template.catalog import load, load_raw, parse
from uv_torch_template.checks.evidence_check import contradictions
from uv_torch_template.checks.template_code import hip_matches
from uv_torch_template.evidence.store import index_record, pypi_record
from uv_torch_template.standin.facts import load as load_facts

CATALOG = load()


def test_the_catalog_agrees_with_the_evidence():
    found = contradictions(CATALOG, load_facts())
    assert not found, "\n".join(map(str, found))


def _release(raw, torch):
    return next(r for r in raw["releases"] if r["torch"] == torch)


def _patch(raw, version):
    return next(p for r in raw["releases"] for p in r.get("patches") or () if str(p["version"]) == version)


WRONG_FACTS = {
    # (what to break, words the report must contain: the fact, and where the evidence is)
    "cu129 without 2.9": (
        lambda raw: raw["backends"]["cu129"]["torch"].remove("2.9"),
        ["cu129: torch releases", "torch-2.9.0+cu129"],
    ),
    "torchaudio ended at 2.11.0": (
        lambda raw: _release(raw, "2.15").update(torchaudio=None),
        ["torch 2.15: torchaudio of 2.15.0", "2.11.1", "pypi.org/simple/torchaudio/"],
    ),
    "2.7.0 inherits 2.7.1's ROCm companion": (
        lambda raw: _patch(raw, "2.7.0").pop("companions"),
        ["torch 2.7.0: rocm companion", "pytorch-triton-rocm 3.3.0"],
    ),
    "rocm6.1 with gfx1102": (
        lambda raw: raw["backends"]["rocm6.1"]["gpu_archs"].append("gfx1102"),
        ["rocm6.1: gpu_archs", "crates/uv-torch"],
    ),
    "PyPI's aarch64 torch is CUDA before 2.11": (
        lambda raw: raw["platforms"]["linux-aarch64"].pop("pypi_torch_before"),
        ["linux-aarch64: pypi_torch for torch 2.10", "catalog says cuda", "has cpu"],
    ),
    "2.6 on cu126 without aarch64": (
        lambda raw: raw["backends"]["cu126"]["release_platforms"].update(
            {"2.6": ["linux-x86_64", "windows-x86_64"]}
        ),
        ["cu126 2.6: platforms", "astral-sh/uv/issues/14540"],
    ),
    "2.6.0+cu126 not marked inconsistent": (
        lambda raw: raw["backends"]["cu126"].pop("inconsistent"),
        ["cu126: inconsistent builds", "nvidia"],
    ),
    "rocm7.14 without its index-only family": (
        lambda raw: raw["backends"]["rocm7.14"].pop("index_only"),
        ["rocm7.14 2.14: index-only dependencies", "rocm[device-all,libraries]==7.14.*"],
    ),
    "a torchvision pairing moved": (
        lambda raw: _release(raw, "2.12").update(torchvision="0.27.0"),
        ["torch 2.12: torchvision of 2.12.1", "0.27.1", "pypi.org/simple/torchvision/"],
    ),
    "labelled aarch64 torchvision": (
        lambda raw: raw["backends"]["cu128"].pop("companions_unlabelled_on"),
        ["cu128: torchvision label on linux-aarch64"],
    ),
    "a wrong upload date": (
        lambda raw: _release(raw, "2.13").update(released="2026-07-09"),
        ["torch 2.13: 2.13.0 released", "2026-07-08"],
    ),
    "a missing patch release": (
        lambda raw: _release(raw, "2.14").pop("patches"),
        ["torch 2.14: patch releases", "2.14.0"],
    ),
    "a Python the release lacks": (
        lambda raw: _release(raw, "2.15").update(python=["3.10", "3.11", "3.12", "3.13", "3.14"]),
        ["torch 2.15: python", "3.10"],
    ),
}


@pytest.mark.parametrize("case", list(WRONG_FACTS))
def test_a_wrong_fact_is_named_with_its_source(case):
    change, words = WRONG_FACTS[case]
    raw = copy.deepcopy(load_raw())
    change(raw)
    found = "\n".join(map(str, contradictions(parse(raw))))
    for word in words:
        assert word in found, f"{case}: {word!r} not in:\n{found}"


def test_the_smoke_test_reads_hip_as_torch_reports_it():
    """torch.version.hip is major.minor.build: rocm6.2.4's is 6.2.41134 (evidence)."""
    seen = [e for e in index_record()["installed_together"] if "hip" in e]
    assert seen
    for entry in seen:
        assert hip_matches(entry["hip"], entry["index"]), entry
    for backend in CATALOG.backends.values():
        if backend.family == "rocm":
            major_minor = ".".join(backend.label.removeprefix("rocm").split(".")[:2])
            assert hip_matches(f"{major_minor}.41134", backend.label), backend.name
            assert not hip_matches("5.7.31921", backend.label), backend.name


def test_the_evidence_is_what_pypi_served():
    """Every recorded file has its sha256 and upload time, every METADATA the wheel it was read from."""
    torch = pypi_record("torch")
    assert len(torch["releases"]) >= len([p for r in CATALOG.releases for p in r.builds])
    for version, release in torch["releases"].items():
        assert all(len(f["sha256"]) == 64 and f["upload_time"] for f in release["files"]), version
        for platform, metadata in release["metadata"].items():
            assert metadata["read_from"].startswith(f"torch-{version}-"), (version, platform)


def test_a_wrong_cuda_pin_of_a_build_pypi_mirrors_is_named():
    facts = copy.deepcopy(load_facts())
    lines = facts["torch"]["builds"]["cu130"]["2.14"]["requires"]
    lines[:] = [line.replace("nvidia-nccl-cu13==2.30.7", "nvidia-nccl-cu13==2.29.7") for line in lines]
    found = "\n".join(map(str, contradictions(CATALOG, facts)))
    assert "cu130 2.14 (facts.yml): nvidia-nccl-cu13: catalog says ==2.29.7, evidence has ==2.30.7" in found
    assert "torch-2.14.1-cp312-cp312-manylinux_2_28_x86_64.whl" in found


def test_nox_evidence_records_an_index_file_by_file():
    """`nox -s evidence -- --index-url` against an index (here the stand-in): every file with its
    sha256, and the Requires-Dist it declares per version and platform."""
    from uv_torch_template.checks.survey import Reader
    from uv_torch_template.standin import StandinIndex
    from uv_torch_template.tasks.evidence import record_index

    with StandinIndex(wheelhouses=[]) as index:
        record = record_index(Reader(index.url), CATALOG, "rocm7.14", ["torch", "rocm", "rocm-sdk-core"])
    torch = record["projects"]["torch"]
    assert torch["files"] and all(len(f["sha256"]) == 64 for f in torch["files"])
    assert set(record["projects"]) == {"torch", "rocm", "rocm-sdk-core"}
    newest = CATALOG.backends["rocm7.14"].newest_version("2.14")
    declared = torch["requires_dist"][f"{newest}+rocm7.14 linux-x86_64"]["requires_dist"]
    assert any(
        line.startswith(CATALOG.backends["rocm7.14"].index_only.requirement.split("==")[0])
        for line in declared
    )


def test_cu129_with_torch_2_9_and_torchaudio_is_accepted(tmp_path):
    """The evidence puts 2.9-2.11 on cu129 and pairs torchaudio 2.11.0 with 2.12-2.14: the answers
    render, and no bound keeps torch below a release torchaudio pairs with."""
    from uv_torch_template.expectations.matrix import Combo
    from uv_torch_template.harness.render import render

    combo = Combo("platform", ("cu129",), "2.9", torch_packages=("torchvision", "torchaudio"))
    project = render(combo.answers(index_url="http://127.0.0.1:9/whl"), tmp_path / "project")
    pyproject = (project / "pyproject.toml").read_text(encoding="utf-8")
    assert '"torchaudio>=2.9"' in pyproject
    assert "constraint-dependencies" not in pyproject


def test_the_standin_serves_every_recorded_file_by_its_recorded_name():
    """File names, tags and labels as the indexes serve them: each file seen on a PyTorch index
    (evidence/indexes.yml, evidence/indexes/) is on the stand-in's page of that index."""
    from uv_torch_template.evidence.store import index_files
    from uv_torch_template.standin.index import Index

    index = Index(wheelhouses=[])
    missing = [
        (seen["index"], seen["file"], seen["source"])
        for seen in index_files()
        if index.find(seen["index"], seen["file"]) is None
    ]
    assert not missing, missing


def test_the_standin_serves_pypis_metadata_for_the_builds_pypi_ships():
    """PyPI's torch X is one of our CUDA builds (evidence/indexes.yml pypi_builds): the stand-in's
    wheel of that build pins what PyPI's pins, with its Requires-Python, Metadata-Version and
    Python tags (2.12.1 has no cp313t; 2.6/2.7 have no pyyaml extra)."""
    from packaging.requirements import Requirement

    from uv_torch_template.checks.evidence_check import pypi_builds
    from uv_torch_template.standin.index import Index
    from uv_torch_template.standin.wheels import metadata_bytes

    def pins(lines):
        return {
            (Requirement(line).name, str(Requirement(line).specifier), str(Requirement(line).extras))
            for line in lines
        }

    index = Index(wheelhouses=[])
    torch = pypi_record("torch")
    checked = 0
    for version, backend in pypi_builds().items():
        release = ".".join(version.split(".")[:2])
        if not CATALOG.backends[backend].carries(release) or version not in CATALOG.backends[
            backend
        ].versions_of(release):
            continue
        recorded = torch["releases"][version]["metadata"]["linux-x86_64"]
        served = [
            d
            for d in index.projects(backend)["torch"]
            if d.version == f"{version}+{backend}" and d.filename.endswith("x86_64.whl")
        ]
        assert served, (backend, version)
        meta = email.parser.BytesParser().parsebytes(metadata_bytes(served[0]))
        assert pins(meta.get_all("Requires-Dist")) == pins(recorded["requires_dist"]), (backend, version)
        assert (meta["Metadata-Version"], meta["Requires-Python"]) == (
            recorded["metadata_version"],
            recorded["requires_python"],
        )
        tags = {"-".join(d.filename.split("-")[2:4]) for d in served}
        assert tags == {
            "-".join(f["filename"].split("-")[2:4])
            for f in torch["releases"][version]["files"]
            if f["filename"].endswith("x86_64.whl") and len(f["filename"].split("-")) == 5
        }, (backend, version)
        checked += 1
    assert checked >= 10


@pytest.mark.lock
def test_a_lock_never_takes_an_inconsistent_build_silently(tmp_path):
    """2.6.0+cu126's aarch64 METADATA lacks the nvidia-* lines (evidence: astral-sh/uv#14540) and the
    stand-in serves it so: a user who caps torch below 2.7 on cu126 gets a refused lock naming the
    build, not a lock of 2.6.0+cu126 without its CUDA runtime."""
    from uv_torch_template.expectations.matrix import Combo
    from uv_torch_template.harness.render import render
    from uv_torch_template.harness.uvrun import run_uv
    from uv_torch_template.standin import StandinIndex

    combo = Combo("single", ("cu126",), "2.6", lock_platforms=("linux-x86_64", "linux-aarch64"))
    with StandinIndex(wheelhouses=[]) as index:
        project = render(combo.answers(index_url=index.url), tmp_path / "project")
        run_uv(project, "add", "--frozen", "torch>=2.6,<2.7").check()
        refused = run_uv(project, "lock")
    assert refused.returncode != 0
    assert "torch==2.6.0+cu126" in refused.output and "torch>2.6.0+cu126" in refused.output
