# ruff: noqa: E501 - the literal pages keep the real index's one line per link
"""The survey reads pages as download.pytorch.org serves them, reports no drift against the
project's own stand-in, and names each fact a stand-in that differs from the catalog gets wrong;
the lock check names the same drift from the other side (what uv resolved).

The literal pages below have the shapes pytorch/test-infra's s3_management writes: manage.py
(host-relative `/whl/...` hrefs, no upload time) and manage_v2.py (absolute download-r2 hrefs,
data-upload-time), `+` percent-encoded in hrefs only, `#sha256=` only where S3 has a checksum,
data-dist-info-metadata and data-core-metadata only where a `.metadata` object exists.
"""

from __future__ import annotations

import copy
from datetime import datetime, timezone

import pytest

from uv_torch_template.catalog import load, load_raw, parse
from uv_torch_template.checks.lock_check import check_lock
from uv_torch_template.checks.lockfile import Lock
from uv_torch_template.checks.survey import (
    Reader,
    parse_project_page,
    survey,
    survey_backend,
    survey_backends,
)
from uv_torch_template.expectations.matrix import Combo
from uv_torch_template.harness.render import render
from uv_torch_template.harness.uvrun import run_uv
from uv_torch_template.standin import StandinIndex

CATALOG = load()
SHA = "a" * 64
META = "b" * 64

# manage.py (before 2026): host-relative hrefs, the S3 key with %2B, text with '+'.
MANAGE_PAGE = f"""<!DOCTYPE html>
<html>
  <body>
    <h1>Links for torch</h1>
    <a href="/whl/cu118/torch-2.6.0%2Bcu118-cp310-cp310-linux_x86_64.whl#sha256={SHA}" data-dist-info-metadata="sha256={META}" data-core-metadata="sha256={META}">torch-2.6.0+cu118-cp310-cp310-linux_x86_64.whl</a><br/>
    <a href="/whl/cu118/torch-2.6.0%2Bcu118-cp313-cp313t-linux_x86_64.whl#sha256={SHA}">torch-2.6.0+cu118-cp313-cp313t-linux_x86_64.whl</a><br/>
    <a href="/whl/cu118/torch-2.6.0%2Bcu118-cp311-cp311-win_amd64.whl">torch-2.6.0+cu118-cp311-cp311-win_amd64.whl</a><br/>
    <a href="/whl/cu118/torch-2.7.0.dev20250101%2Bcu118-cp311-cp311-win_amd64.whl">torch-2.7.0.dev20250101+cu118-cp311-cp311-win_amd64.whl</a><br/>
  </body>
</html>
<!--TIMESTAMP 1738000000-->"""

# manage_v2.py (2026): absolute download-r2 hrefs, upload times; root files at /whl/.
MANAGE_V2_PAGE = f"""<!DOCTYPE html>
<html>
  <body>
    <h1>Links for torch</h1>
    <a href="https://download-r2.pytorch.org/whl/cpu/torch-2.9.1-cp310-none-macosx_11_0_arm64.whl#sha256={SHA}" data-dist-info-metadata="sha256={META}" data-core-metadata="sha256={META}" data-upload-time="2025-11-12T17:20:05Z">torch-2.9.1-cp310-none-macosx_11_0_arm64.whl</a><br/>
    <a href="https://download-r2.pytorch.org/whl/cpu/torch-2.9.1%2Bcpu-cp312-cp312-manylinux_2_28_aarch64.whl#sha256={SHA}" data-dist-info-metadata="sha256={META}" data-core-metadata="sha256={META}" data-upload-time="2025-11-12T17:20:05Z">torch-2.9.1+cpu-cp312-cp312-manylinux_2_28_aarch64.whl</a><br/>
    <a href="https://download-r2.pytorch.org/whl/cpu/torch-2.9.1%2Bcpu-cp312-cp312-linux_s390x.whl#sha256={SHA}" data-upload-time="2025-11-12T17:20:05Z">torch-2.9.1+cpu-cp312-cp312-linux_s390x.whl</a><br/>
  </body>
</html>
<!--TIMESTAMP 1769446465-->"""

TRITON_PAGE = """<!DOCTYPE html>
<html>
  <body>
    <h1>Links for triton-rocm</h1>
    <a href="/whl/triton_rocm-3.6.0-cp312-cp312-linux_x86_64.whl" data-upload-time="2026-01-21T10:00:00Z">triton_rocm-3.6.0-cp312-cp312-linux_x86_64.whl</a><br/>
  </body>
</html>
<!--TIMESTAMP 1769446465-->"""


def test_reads_the_manage_py_page_shape():
    files = parse_project_page(MANAGE_PAGE, "https://download.pytorch.org/whl/cu118/torch/", "torch")
    by_name = {f.filename: f for f in files}
    first = by_name["torch-2.6.0+cu118-cp310-cp310-linux_x86_64.whl"]
    assert first.package.url == (
        "https://download.pytorch.org/whl/cu118/torch-2.6.0%2Bcu118-cp310-cp310-linux_x86_64.whl"
    )
    assert first.package.metadata_url == first.package.url + ".metadata"
    assert first.package.digests == {"sha256": SHA}
    assert first.package.has_metadata and first.package.metadata_digests == {"sha256": META}
    assert str(first.version) == "2.6.0+cu118" and first.version.local == "cu118"
    assert first.platforms == {"linux-x86_64"} and first.pythons == {"3.10"}
    assert first.upload_time is None
    # Free-threaded builds are no CPython version of the catalog's; no hash, no metadata: still read.
    assert by_name["torch-2.6.0+cu118-cp313-cp313t-linux_x86_64.whl"].pythons == set()
    windows = by_name["torch-2.6.0+cu118-cp311-cp311-win_amd64.whl"]
    assert windows.package.digests == {} and not windows.package.has_metadata
    assert windows.platforms == {"windows-x86_64"}
    assert by_name["torch-2.7.0.dev20250101+cu118-cp311-cp311-win_amd64.whl"].version.is_devrelease


def test_reads_the_manage_v2_page_shape():
    files = parse_project_page(MANAGE_V2_PAGE, "https://download.pytorch.org/whl/cpu/torch/", "torch")
    by_name = {f.filename: f for f in files}
    mac = by_name["torch-2.9.1-cp310-none-macosx_11_0_arm64.whl"]
    assert mac.package.url.startswith("https://download-r2.pytorch.org/whl/cpu/")
    assert mac.version.local is None and mac.platforms == {"macos-arm64"} and mac.pythons == {"3.10"}
    assert mac.upload_time == datetime(2025, 11, 12, 17, 20, 5, tzinfo=timezone.utc)
    arm = by_name["torch-2.9.1+cpu-cp312-cp312-manylinux_2_28_aarch64.whl"]
    assert arm.package.url.endswith("/torch-2.9.1%2Bcpu-cp312-cp312-manylinux_2_28_aarch64.whl")
    assert arm.platforms == {"linux-aarch64"}
    assert by_name["torch-2.9.1+cpu-cp312-cp312-linux_s390x.whl"].platforms == set()  # no lock platform
    triton = parse_project_page(
        TRITON_PAGE, "https://download.pytorch.org/whl/rocm7.1/triton-rocm/", "triton-rocm"
    )
    assert (
        triton[0].package.url
        == "https://download.pytorch.org/whl/triton_rocm-3.6.0-cp312-cp312-linux_x86_64.whl"
    )
    assert str(triton[0].version) == "3.6.0"


def test_no_drift_against_the_project_stand_in(standin):
    drifts = survey(standin.url)
    assert drifts == [], "\n".join(map(str, drifts))


# ---------------------------------------------------------------------------------------------
# A stand-in that differs from the catalog in one known way: survey and lock check name it.


def drifted(change) -> object:
    raw = copy.deepcopy(load_raw())
    change(raw)
    return parse(raw)


def _drop(backend: str, release: str):
    def change(raw):
        raw["backends"][backend]["torch"].remove(release)

    return change


def test_a_lost_release_is_named_by_survey_and_lock_check(tmp_path):
    newest = CATALOG.backends["cu130"].torch[-1]
    before = CATALOG.backends["cu130"].torch[-2]
    with StandinIndex(wheelhouses=[], catalog=drifted(_drop("cu130", newest))) as index:
        drifts = [str(d) for d in survey_backend(CATALOG, Reader(index.url), "cu130")]
        assert drifts == [f"cu130 torch {newest}: release: catalog says carried, index has none (lost)"]

        combo = Combo("single", ("cu130",), before, python_version="3.12")
        project = render(combo.answers(index_url=index.url), tmp_path / "project")
        run_uv(project, "lock").check()
        found = check_lock(CATALOG, Lock.load(project / "uv.lock"), combo, index.url)
    facts = {(d.backend, d.release, d.fact, d.expected, d.found) for d in found}
    lost = CATALOG.release(newest).version
    took = CATALOG.backends["cu130"].newest_version(before)
    assert facts == {("cu130", newest, "release", lost, took)}
    assert {d.platform for d in found} == set(CATALOG.backends["cu130"].platforms)


def test_a_gained_release_a_companion_and_a_python_set_are_named():
    def change(raw):
        raw["backends"]["rocm7.1"]["torch"].append(raw["releases"][-1]["torch"])
        release = next(r for r in raw["releases"] if r["torch"] == "2.13")
        release["companions"]["xpu"]["version"] = "3.7.9"

    def drop_a_python(raw):
        release = next(r for r in raw["releases"] if r["torch"] == "2.13")
        release["python"] = release["python"][1:]

    def claim_a_python(raw):
        release = next(r for r in raw["releases"] if r["torch"] == "2.8")
        release["python"] = [*release["python"], "3.14"]

    with StandinIndex(wheelhouses=[], catalog=drifted(change)) as index:
        reader = Reader(index.url)
        rocm = [str(d) for d in survey_backend(CATALOG, reader, "rocm7.1")]
        xpu = [str(d) for d in survey_backend(CATALOG, reader, "xpu")]
    # The stand-in serves the Python tags the evidence recorded, whatever a catalog says: a catalog
    # that lost a Python is named by the survey of the evidence-built stand-in.
    with StandinIndex(wheelhouses=[]) as index:
        xpu += [str(d) for d in survey_backend(drifted(drop_a_python), Reader(index.url), "xpu")]
        # ... and one that claims a Python the index never served is named too.
        xpu += [str(d) for d in survey_backend(drifted(claim_a_python), Reader(index.url), "xpu")]
    newest = CATALOG.newest
    assert (
        f"rocm7.1 torch {newest.torch}: release: catalog says not carried, "
        f"index has {newest.version} (gained)" in rocm
    )
    assert "xpu torch 2.13: companion: catalog says triton-xpu 3.7.2, index has triton-xpu 3.7.9" in xpu
    python = ", ".join(CATALOG.release("2.13").python)
    assert f"xpu torch 2.13: python: catalog says {python.split(', ', 1)[1]}, index has {python}" in xpu
    served = ", ".join(CATALOG.release("2.8").python)
    assert f"xpu torch 2.8: python: catalog says {served}, 3.14, index has {served}" in xpu


def test_a_pairing_and_a_platform_are_named():
    def change(raw):
        release = next(r for r in raw["releases"] if r["torch"] == "2.11")
        release["torchvision"] = "0.26.9"
        raw["backends"]["cu126"]["platforms"].remove("windows-x86_64")

    with StandinIndex(wheelhouses=[], catalog=drifted(change)) as index:
        drifts = [str(d) for d in survey_backend(CATALOG, Reader(index.url), "cu126")]
    assert "cu126 torch 2.11: torchvision: catalog says 0.26.0, index has 0.26.9" in drifts
    assert (
        "cu126 torch 2.11: platforms: catalog says linux-aarch64, linux-x86_64, windows-x86_64, "
        "index has linux-aarch64, linux-x86_64" in drifts
    )


def test_an_index_the_catalog_lacks_is_named():
    def change(raw):
        raw["backends"]["cu134"] = copy.deepcopy(raw["backends"]["cu132"]) | {
            "index": "cu134",
            "label": "cu134",
        }

    with StandinIndex(wheelhouses=[], catalog=drifted(change)) as index:
        drifts = [str(d) for d in survey_backends(CATALOG, Reader(index.url))]
    assert drifts == ["cu134: backend: catalog says not in the catalog, index has an index with torch wheels"]


@pytest.mark.parametrize("backend", ["cpu", "rocm7.2"])
def test_survey_command_exits_on_drift_only(backend, standin, capsys, tmp_path, monkeypatch):
    from uv_torch_template.tasks.sessions import run_survey

    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert run_survey(standin.url, backend=backend) == 0
    assert capsys.readouterr().out == "no drift\n"
    assert f"### survey {backend} of {standin.url}" in summary.read_text()

    with StandinIndex(wheelhouses=[], catalog=drifted(_drop(backend, "2.12"))) as index:
        assert run_survey(index.url, backend=backend) == 1
    line = f"{backend} torch 2.12: release: catalog says carried, index has none (lost)"
    assert capsys.readouterr().out == line + "\n"
    assert f"- `{line}`" in summary.read_text()  # named in the job summary of that backend


def test_write_puts_the_indexes_facts_into_the_catalog_and_keeps_its_comments(tmp_path):
    """--write on a copy of catalog.yml: afterwards the survey of the same index finds nothing to
    report for what it wrote, and every comment line of the file is still there."""
    from uv_torch_template.catalog import CATALOG_PATH
    from uv_torch_template.catalog.writer import write_drifts

    def change(raw):
        raw["backends"]["xpu"]["torch"].remove("2.12")
        raw["backends"]["xpu"]["only_patches"] = {"2.14": ["2.14.1"]}  # 2.14.0 no longer served
        release = next(r for r in raw["releases"] if r["torch"] == "2.11")
        release["companions"]["xpu"]["version"] = "3.7.9"
        release["torchvision"] = "0.26.9"

    copy_path = tmp_path / "catalog.yml"
    original = CATALOG_PATH.read_text(encoding="utf-8")
    copy_path.write_text(original, encoding="utf-8")
    with StandinIndex(wheelhouses=[], catalog=drifted(change)) as index:
        before = survey_backend(CATALOG, Reader(index.url), "xpu")
        assert {d.fact for d in before} == {"release", "version", "companion", "torchvision"}
        assert write_drifts(before, index.url, copy_path) == 4
        written = load(copy_path)
        assert survey_backend(written, Reader(index.url), "xpu") == []
    comments = [line.strip() for line in original.splitlines() if line.strip().startswith("#")]
    after = copy_path.read_text(encoding="utf-8")
    assert all(comment in after for comment in comments)
    assert after.count("[survey ") == 2  # the xpu backend and the 2.11 release
    assert "2.12" not in written.backends["xpu"].torch
    assert written.backends["xpu"].versions_of("2.14") == ("2.14.1",)


class NoSidecars(Reader):
    """An index (a mirror) that serves no PEP 658 `.metadata` files."""

    def _get(self, url):
        return None if url.endswith(".metadata") else super()._get(url)


def test_without_metadata_files_small_wheels_are_read_instead():
    def change(raw):
        next(r for r in raw["releases"] if r["torch"] == "2.13")["companions"]["xpu"]["version"] = "3.7.9"

    with StandinIndex(wheelhouses=[], catalog=drifted(change)) as index:
        drifts = [str(d) for d in survey_backend(CATALOG, NoSidecars(index.url), "xpu")]
    assert drifts == ["xpu torch 2.13: companion: catalog says triton-xpu 3.7.2, index has triton-xpu 3.7.9"]


def test_a_release_served_under_another_label_is_named_as_a_label_drift():
    def change(raw):  # the stand-in serves cu126's wheels labelled +cu126x
        raw["backends"]["cu126"]["label"] = "cu126x"

    with StandinIndex(wheelhouses=[], catalog=drifted(change)) as index:
        drifts = {str(d) for d in survey_backend(CATALOG, Reader(index.url), "cu126")}
    assert drifts == {
        f"cu126 torch {release}: label: catalog says +cu126, index has +cu126x"
        for release in CATALOG.backends["cu126"].torch
    }


def test_a_patch_release_the_index_gained_is_named():
    """A new patch (2.13.1 beside 2.13.0) is drift as much as a lost one: the lock takes it."""
    carried = CATALOG.release("2.13").version
    major, minor, micro = (int(part) for part in carried.split("."))
    gained = f"{major}.{minor}.{micro + 1}"

    def change(raw):
        release = next(r for r in raw["releases"] if r["torch"] == "2.13")
        own = {key: release[key] for key in ("version", "torchvision", "torchaudio", "released")}
        release["patches"] = [*(release.get("patches") or []), own]
        release["version"] = gained

    with StandinIndex(wheelhouses=[], catalog=drifted(change)) as index:
        drifts = [str(d) for d in survey_backend(CATALOG, Reader(index.url), "cu130")]
    assert f"cu130 torch 2.13: version: catalog says {carried}, index has {carried}, {gained}" in drifts
