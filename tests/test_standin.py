"""The stand-in index is as faithful to download.pytorch.org/whl as the lock tests assume.

Shape of the pages (docs/pytorch-index-facts.md [layout]), hashes against the bytes actually
served, the wheel-name facts ([locks], [single]) and the METADATA the real builds declare
([requires] and PyPI), and a real
`uv lock` against it. Reaches only loopback and PyPI.
"""

from __future__ import annotations

import base64
import email.message
import email.parser
import hashlib
import html
import io
import os
import re
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from pypi_simple import ProjectPage, RepositoryPage
from uv import find_uv_bin

from uv_torch_template.catalog import load
from uv_torch_template.evidence.store import index_record
from uv_torch_template.standin import StandinIndex
from uv_torch_template.standin.dists import root_dists, variant_dists
from uv_torch_template.standin.facts import load as load_facts
from uv_torch_template.standin.wheels import build_wheel, wheel_tags

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

CATALOG = load()
# The exclude-newer the lock tests run uv with: every upload time must be older.
CUTOFF = datetime(2026, 11, 15, tzinfo=timezone.utc)
UPLOAD_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")


# ---------------------------------------------------------------------------------------------
# helpers


def fetch(url: str, method: str = "GET", headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class Page:
    """A PEP 503 page as a client sees it, parsed by pypi-simple (links with their attributes);
    the doctype, heading and TIMESTAMP comment that pypi-simple ignores are read off the text."""

    def __init__(self, url: str, body: bytes):
        self.url = url
        self.body = body.decode()
        doctype = re.match(r"<!(DOCTYPE [^>]*)>", self.body)
        self.doctype = doctype.group(1) if doctype else None
        heading = re.search(r"<h1>(.*?)</h1>", self.body)
        self.h1 = html.unescape(heading.group(1)) if heading else ""
        self.comments = re.findall(r"<!--(.*?)-->", self.body)
        self.links: list[dict[str, str]] = [
            {k: v if isinstance(v, str) else " ".join(v) for k, v in link.attrs.items()} | {"text": link.text}
            for link in RepositoryPage.from_html(body, base_url=url).links
        ]
        self.packages = {
            p.filename: p
            for p in ProjectPage.from_html(self.h1.removeprefix("Links for "), body, url).packages
        }

    @property
    def files(self) -> dict[str, dict[str, str]]:
        return {link["text"]: link for link in self.links}

    def target(self, link: dict[str, str]) -> str:
        """The absolute URL of a link, without its fragment (as pypi-simple resolves it)."""
        return (
            self.packages[link["text"]].url
            if link["text"] in self.packages
            else urljoin(self.url, link["href"].split("#")[0])
        )


def page(index: StandinIndex, path: str) -> Page:
    url = f"{index.url}/{path}"
    status, headers, body = fetch(url)
    assert status == 200, f"{url}: {status} {body[:200]!r}"
    assert headers["Content-Type"] == "text/html"
    return Page(url, body)


def metadata_of(index: StandinIndex, variant: str, filename: str) -> email.message.Message:
    """A file's METADATA as uv reads it: the PEP 658 sidecar its project page links to."""
    listing = page(index, f"{variant}/{filename.split('-')[0]}/")
    status, _, body = fetch(listing.target(listing.files[filename]) + ".metadata")
    assert status == 200
    return email.parser.BytesParser().parsebytes(body)


def requires(message: email.message.Message) -> list[str]:
    return message.get_all("Requires-Dist") or []


def filenames(index: StandinIndex, variant: str, project: str) -> set[str]:
    return set(page(index, f"{variant}/{project}/").files)


# ---------------------------------------------------------------------------------------------
# page shape (docs/pytorch-index-facts.md [layout])


def test_project_page_has_the_real_index_shape(standin):
    torch = page(standin, "cu130/torch/")
    assert torch.doctype == "DOCTYPE html"
    assert torch.h1 == "Links for torch"
    assert re.fullmatch(r"TIMESTAMP \d+", torch.comments[-1])
    assert torch.body.rstrip().endswith(f"<!--{torch.comments[-1]}-->")
    assert "data-requires-python" not in torch.body and "data-size" not in torch.body
    assert len(torch.links) > 100
    for link in torch.links:
        href, _, fragment = link["href"].partition("#")
        assert href == f"{standin.url}/cu130/{link['text'].replace('+', '%2B')}"
        assert unquote(href.rsplit("/", 1)[1]) == link["text"]
        assert fragment.startswith("sha256=") and SHA256.match(fragment.removeprefix("sha256="))
        assert link["data-dist-info-metadata"] == link["data-core-metadata"]
        assert SHA256.match(link["data-core-metadata"].removeprefix("sha256="))
        assert UPLOAD_TIME.match(link["data-upload-time"]), link
        assert set(link) == {
            "href",
            "data-dist-info-metadata",
            "data-core-metadata",
            "data-upload-time",
            "text",
        }


def test_variant_root_page_lists_projects_with_normalised_links(standin):
    root = page(standin, "rocm7.2/")
    hrefs = {link["text"]: link["href"] for link in root.links}
    assert hrefs["torch"] == "torch/"
    assert hrefs["triton_rocm"] == "triton-rocm/"
    assert hrefs["Jinja2"] == "jinja2/"
    assert "numpy" in hrefs and "torchvision" in hrefs
    assert re.fullmatch(r"TIMESTAMP \d+", root.comments[-1])


def test_pages_are_html_whatever_the_client_accepts(standin):
    status, headers, body = fetch(
        f"{standin.url}/cpu/torch/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
    )
    assert status == 200
    assert headers["Content-Type"] == "text/html"
    assert body.startswith(b"<!DOCTYPE html>")


@pytest.mark.parametrize(
    "path",
    [
        "cu999/",  # not a variant
        "cu999/torch/",
        "cpu/not-a-project/",
        "cu128/torch-2.13.0+cu128-cp312-cp312-manylinux_2_28_x86_64.whl",  # cu128 stops at 2.11
        "cpu/Jinja2-3.1.4-py3-none-any.whl",  # root files live at /whl/ only
        "cpu/torch-2.13.0+cpu-cp312-cp312-manylinux_2_28_x86_64.whl.metadata.metadata",
    ],
)
def test_unknown_paths_answer_404_not_403(standin, path):
    status, _, _ = fetch(f"{standin.url}/{path}")
    assert status == 404


def test_project_names_are_normalised(standin):
    assert page(standin, "rocm7.2/Triton_Rocm/").body == page(standin, "rocm7.2/triton-rocm/").body
    assert page(standin, "cpu/MarkupSafe/").files == page(standin, "cpu/markupsafe/").files


def test_head_answers_headers_only(standin):
    name = "torch-2.13.0+cu130-cp312-cp312-manylinux_2_28_x86_64.whl"
    status, headers, body = fetch(f"{standin.url}/cu130/{name.replace('+', '%2B')}", method="HEAD")
    _, _, wheel = fetch(f"{standin.url}/cu130/{name.replace('+', '%2B')}")
    assert (status, body) == (200, b"")
    assert int(headers["Content-Length"]) == len(wheel) > 0


def test_upload_times_are_release_dates_before_the_cutoff():
    facts = load_facts()
    dists = root_dists(CATALOG, facts) + [
        d for b in CATALOG.backends for d in variant_dists(CATALOG, facts, b)
    ]
    for dist in dists:
        assert UPLOAD_TIME.match(dist.upload_time), dist.filename
        assert datetime.fromisoformat(dist.upload_time.replace("Z", "+00:00")) < CUTOFF, dist.filename
    for release in CATALOG.releases:
        torch = next(d for d in dists if d.name == "torch" and d.version.startswith(release.version + "+"))
        assert torch.upload_time.startswith(release.released + "T")


# ---------------------------------------------------------------------------------------------
# what is served is what the page promises


@pytest.mark.parametrize(
    "path",
    [
        "cpu/torch/",
        "cu126/torchvision/",
        "rocm6.3/torchaudio/",
        "xpu/triton-xpu/",
        "cu130/jinja2/",
        "cpu/numpy/",
    ],
)
def test_every_href_hash_is_the_hash_of_the_served_bytes(standin, path):
    listing = page(standin, path)
    for link in listing.links:
        url = listing.target(link)
        digest, size = hashlib.sha256(), 0
        with urllib.request.urlopen(url, timeout=60) as response:
            assert response.headers["Content-Type"] == "binary/octet-stream"
            small = int(response.headers["Content-Length"]) < 1 << 20
            data = b""
            while chunk := response.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
                data += chunk if small else b""
        assert link["href"].endswith(f"#sha256={digest.hexdigest()}"), url
        status, _, sidecar = fetch(url + ".metadata")
        assert status == 200
        assert link["data-core-metadata"] == f"sha256={hashlib.sha256(sidecar).hexdigest()}", url
        if small:  # a stub: its METADATA is the sidecar, byte for byte
            with zipfile.ZipFile(io.BytesIO(data)) as wheel:
                (member,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
                assert wheel.read(member) == sidecar


def test_root_files_are_on_every_variant_page(standin):
    companions = {(c.package, c.version) for r in CATALOG.releases for c in r.companions.values()}
    for variant in CATALOG.backends:
        for project in ("triton-rocm", "pytorch-triton-xpu", "jinja2", "markupsafe"):
            for link in page(standin, f"{variant}/{project}/").links:
                # Stored at the root, so linked there, not under the variant ([layout]).
                assert urlsplit(link["href"]).path == f"/whl/{link['text']}", (variant, link)
        jinja = page(standin, f"{variant}/jinja2/").files["Jinja2-3.1.4-py3-none-any.whl"]
        assert jinja["href"].startswith("/whl/Jinja2-3.1.4-py3-none-any.whl#sha256=")  # host-relative
    root_projects = {link["text"] for link in page(standin, "cpu/").links}
    assert {p.replace("-", "_") for p, _ in companions} <= root_projects
    status, _, _ = fetch(f"{standin.url}/Jinja2-3.1.4-py3-none-any.whl")
    assert status == 200


def test_stub_wheels_are_valid_and_deterministic():
    facts = load_facts()
    dist = next(
        d
        for d in root_dists(CATALOG, facts)
        if d.filename.startswith("triton_xpu-3.7.2-cp312-cp312-manylinux_2_27_x86_64.manylinux_2_28_x86_64")
    )
    data = build_wheel(dist)
    assert data == build_wheel(dist)
    with zipfile.ZipFile(io.BytesIO(data)) as wheel:
        assert wheel.testzip() is None
        names = wheel.namelist()
        assert names == [f"triton_xpu-3.7.2.dist-info/{n}" for n in ("METADATA", "WHEEL", "RECORD")]
        tags = [
            line.removeprefix("Tag: ")
            for line in wheel.read(names[1]).decode().splitlines()
            if line.startswith("Tag:")
        ]
        assert tags == ["cp312-cp312-manylinux_2_27_x86_64", "cp312-cp312-manylinux_2_28_x86_64"]
        assert tags == wheel_tags(dist.filename)
        record = wheel.read(names[2]).decode().splitlines()
        assert record[-1] == f"{names[2]},,"
        for line in record[:-1]:
            path, digest, size = line.split(",")
            content = wheel.read(path)
            assert int(size) == len(content)
            expected = base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=").decode()
            assert digest == f"sha256={expected}"


def _fake_wheel(path: Path, metadata: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as wheel:
        wheel.writestr("torch/__init__.py", "real = True\n")
        wheel.writestr("torch-2.13.0+cpu.dist-info/METADATA", metadata)
        wheel.writestr(
            "torch-2.13.0+cpu.dist-info/WHEEL", "Wheel-Version: 1.0\nTag: cp312-cp312-manylinux_2_28_x86_64\n"
        )
        wheel.writestr("torch-2.13.0+cpu.dist-info/RECORD", "")
    path.write_bytes(buffer.getvalue())
    return buffer.getvalue()


def test_a_real_wheel_replaces_the_stub_of_the_same_name(standin, tmp_path):
    name = "torch-2.13.0+cpu-cp312-cp312-manylinux_2_28_x86_64.whl"
    metadata = (
        b"Metadata-Version: 2.4\nName: torch\nVersion: 2.13.0+cpu\nSummary: real\nRequires-Dist: filelock\n"
    )
    real = _fake_wheel(tmp_path / name, metadata)
    with StandinIndex(wheelhouses=[tmp_path]) as local:
        files = page(local, "cpu/torch/").files
        stub_files = page(standin, "cpu/torch/").files
        assert files[name]["href"].endswith(f"#sha256={hashlib.sha256(real).hexdigest()}")
        assert files[name]["data-core-metadata"] == f"sha256={hashlib.sha256(metadata).hexdigest()}"
        url = f"{local.url}/cpu/{name.replace('+', '%2B')}"
        assert fetch(url)[2] == real
        assert fetch(url + ".metadata")[2] == metadata
        status, headers, body = fetch(url, method="HEAD")
        assert (status, body, int(headers["Content-Length"])) == (200, b"", len(real))
        # Everything else is the same deterministic stub on both indexes.
        other = "torch-2.13.0+cpu-cp313-cp313-manylinux_2_28_x86_64.whl"
        assert files[other]["href"].split("#")[1] == stub_files[other]["href"].split("#")[1]
        assert stub_files[name]["href"].split("#")[1] != files[name]["href"].split("#")[1]


def test_the_real_cpu_torch_in_pip_find_links_is_served(standin):
    real = standin.index.real_wheels.get("torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl")
    if real is None:
        pytest.skip("no real torch wheel in PIP_FIND_LINKS")
    link = page(standin, "cpu/torch/").files[real.name]
    assert link["href"].endswith(
        "#sha256=" + standin.index.artifact(standin.index.find("cpu", real.name)).sha256
    )
    with zipfile.ZipFile(real) as wheel:
        expected = wheel.read("torch-2.13.0+cpu.dist-info/METADATA")
    assert fetch(f"{standin.url}/cpu/{real.name.replace('+', '%2B')}.metadata")[2] == expected


# ---------------------------------------------------------------------------------------------
# wheel-name facts (docs/pytorch-index-facts.md [locks], [single])


def test_macos_wheels_are_unlabelled_and_only_on_the_cpu_index(standin):
    cpu = filenames(standin, "cpu", "torch")
    assert "torch-2.9.1-cp310-none-macosx_11_0_arm64.whl" in cpu  # abi `none` up to 2.10
    assert "torch-2.10.0-cp311-none-macosx_11_0_arm64.whl" in cpu
    assert "torch-2.11.0-cp312-cp312-macosx_11_0_arm64.whl" in cpu  # cpXY-cpXY from 2.11
    assert "torch-2.9.1-cp314-cp314t-macosx_11_0_arm64.whl" in cpu
    assert not [f for f in cpu if "macosx" in f and "+" in f]
    assert not [f for f in cpu if "macosx" not in f and "+cpu" not in f]
    assert "torchvision-0.26.0-cp313-cp313-macosx_12_0_arm64.whl" in filenames(standin, "cpu", "torchvision")
    for variant in ("cu126", "cu130", "rocm7.2", "xpu"):
        assert not [f for f in filenames(standin, variant, "torch") if "macosx" in f], variant


def test_xpu_torch_is_linux_x86_64_tagged_until_2_12(standin):
    xpu = filenames(standin, "xpu", "torch")
    assert "torch-2.12.0+xpu-cp312-cp312-linux_x86_64.whl" in xpu
    assert "torch-2.13.0+xpu-cp312-cp312-manylinux_2_28_x86_64.whl" in xpu
    assert "torch-2.13.0+xpu-cp312-cp312-win_amd64.whl" in xpu
    assert not [
        f for f in xpu if f.startswith("torch-2.13.0") and "linux_x86_64" in f and "manylinux" not in f
    ]
    assert "torchvision-0.27.0+xpu-cp312-cp312-manylinux_2_28_x86_64.whl" in filenames(
        standin, "xpu", "torchvision"
    )
    triton = filenames(standin, "xpu", "triton-xpu")
    assert "triton_xpu-3.7.2-cp312-cp312-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl" in triton
    assert "triton_xpu-3.7.2-cp312-cp312-win_amd64.whl" in triton


def test_rocm_wheels_are_linux_x86_64_only(standin):
    for backend in (b for b in CATALOG.backends.values() if b.family == "rocm"):
        for project in ("torch", "torchvision", "triton-rocm", "pytorch-triton-rocm"):
            names = filenames(standin, backend.name, project)
            assert names, (backend.name, project)
            assert all(n.endswith("x86_64.whl") and "linux" in n for n in names), (backend.name, project)
    assert "pytorch_triton_rocm-3.5.1-cp313-cp313-linux_x86_64.whl" in filenames(
        standin, "rocm6.4", "pytorch-triton-rocm"
    )


def test_each_index_carries_exactly_the_catalog_releases(standin):
    for name, backend in CATALOG.backends.items():
        versions = {f.split("-")[1] for f in filenames(standin, name, "torch")}
        carried = {v for r in backend.torch for v in backend.versions_of(r)}
        expected = {f"{v}+{backend.label}" for v in carried}
        if backend.unlabelled_on:
            expected |= carried
        assert versions == expected, name
    # And every torch build the evidence saw on an index is served there under that name's version.
    for seen in index_record()["files"]:
        if seen["index"] and seen["file"].startswith("torch-"):
            version = seen["file"].split("-")[1]
            served = {f.split("-")[1] for f in filenames(standin, seen["index"], "torch")}
            assert version in served, (seen["index"], seen["file"], seen["source"])


def test_cuda_has_linux_aarch64_and_windows_wheels(standin):
    for variant in ("cu126", "cu130", "cu132"):
        names = filenames(standin, variant, "torch")
        assert f"torch-2.13.0+{variant}-cp312-cp312-manylinux_2_28_aarch64.whl" in names
        assert f"torch-2.13.0+{variant}-cp312-cp312-win_amd64.whl" in names


def test_python_tags_follow_the_catalog_and_free_threaded_facts(standin):
    cu130 = filenames(standin, "cu130", "torch")
    assert "torch-2.11.0+cu130-cp313-cp313t-manylinux_2_28_x86_64.whl" in cu130
    assert "torch-2.13.0+cu130-cp314-cp314t-manylinux_2_28_x86_64.whl" in cu130
    assert "torch-2.13.0+cu130-cp313-cp313t-manylinux_2_28_x86_64.whl" not in cu130
    assert not [f for f in cu130 if f.startswith("torch-2.15.0") and "-cp310-" in f]  # 2.15 needs 3.11
    assert "torch-2.15.0+cu130-cp311-cp311-manylinux_2_28_x86_64.whl" in cu130


# ---------------------------------------------------------------------------------------------
# METADATA as the real wheels declare it


def test_cpu_build_requires_what_the_real_wheel_requires(standin):
    message = metadata_of(standin, "cpu", "torch-2.13.0+cpu-cp312-cp312-manylinux_2_28_x86_64.whl")
    assert message["Metadata-Version"] == "2.4"
    assert message["Requires-Python"] == ">=3.10"
    assert requires(message) == [
        "filelock",
        "typing-extensions>=4.10.0",
        "setuptools>=77.0.3",
        "sympy>=1.13.3",
        "networkx>=2.5.1",
        "jinja2",
        "fsspec>=0.8.5",
        'optree>=0.13.0; extra == "optree"',
        'opt-einsum>=3.3; extra == "opt-einsum"',
        'pyyaml; extra == "pyyaml"',
    ]
    assert message.get_all("Provides-Extra") == ["optree", "opt-einsum", "pyyaml"]
    mac = metadata_of(standin, "cpu", "torch-2.13.0-cp312-cp312-macosx_14_0_arm64.whl")
    assert requires(mac) == requires(message) and mac["Version"] == "2.13.0"


def test_cuda_builds_require_what_pypi_shows(standin):
    linux = 'platform_system == "Linux"'
    toolkit = "cuda-toolkit[cublas,cudart,cufft,cufile,cupti,curand,cusolver,cusparse,nvjitlink,nvrtc,nvtx]"
    cu130 = metadata_of(standin, "cu130", "torch-2.13.0+cu130-cp312-cp312-manylinux_2_28_aarch64.whl")
    assert requires(cu130)[7:-3] == [
        f"{toolkit}==13.0.3; {linux}",
        f'cuda-bindings<14,>=13.0.3; {linux} and python_version < "3.15"',
        f"nvidia-cudnn-cu13==9.20.0.48; {linux}",
        f"nvidia-cusparselt-cu13==0.8.1; {linux}",
        f"nvidia-nccl-cu13==2.29.7; {linux}",
        f"nvidia-nvshmem-cu13==3.4.5; {linux}",
        f'triton==3.7.1; {linux} and python_version < "3.15"',
    ]
    cu130_212 = requires(
        metadata_of(standin, "cu130", "torch-2.12.0+cu130-cp312-cp312-manylinux_2_28_x86_64.whl")
    )
    assert "setuptools<82" in cu130_212
    assert f"nvidia-cublas<=13.1.1.3,>=13.1.0.3; {linux}" in cu130_212
    assert f"triton==3.7.0; {linux}" in cu130_212
    cu128 = requires(metadata_of(standin, "cu128", "torch-2.9.1+cu128-cp312-cp312-manylinux_2_28_x86_64.whl"))
    assert f"nvidia-cudnn-cu12==9.10.2.21; {linux}" in cu128 and f"triton==3.5.1; {linux}" in cu128
    assert (
        metadata_of(standin, "cu130", "torch-2.15.0+cu130-cp311-cp311-win_amd64.whl")["Requires-Python"]
        == ">=3.11"
    )


def test_rocm_and_xpu_builds_pin_their_triton_companion(standin):
    rocm = requires(
        metadata_of(standin, "rocm7.2", "torch-2.13.0+rocm7.2-cp312-cp312-manylinux_2_28_x86_64.whl")
    )
    assert 'triton-rocm==3.7.1; platform_system == "Linux"' in rocm
    assert not [r for r in rocm if r.startswith(("nvidia", "cuda", "triton=="))]
    rocm29 = requires(
        metadata_of(standin, "rocm6.4", "torch-2.9.1+rocm6.4-cp312-cp312-manylinux_2_28_x86_64.whl")
    )
    assert 'pytorch-triton-rocm==3.5.1; platform_system == "Linux"' in rocm29
    xpu = requires(metadata_of(standin, "xpu", "torch-2.13.0+xpu-cp312-cp312-win_amd64.whl"))
    assert "triton-xpu==3.7.2" in xpu  # unconditional: Linux and Windows wheels exist
    assert 'oneccl==2021.17.1; platform_system == "Linux" and platform_machine == "x86_64"' in xpu
    assert "intel-sycl-rt==2025.3.1" in xpu
    assert "pytorch-triton-xpu==3.5.0" in requires(
        metadata_of(standin, "xpu", "torch-2.9.1+xpu-cp312-cp312-linux_x86_64.whl")
    )


def test_torchvision_and_torchaudio_pin_the_torch_of_their_build(standin):
    vision = metadata_of(standin, "cu130", "torchvision-0.28.0+cu130-cp312-cp312-manylinux_2_28_x86_64.whl")
    assert requires(vision)[:3] == ["numpy", "torch (==2.13.0+cu130)", "pillow (!=8.3.*,>=5.3.0)"]
    mac = metadata_of(standin, "cpu", "torchvision-0.28.0-cp312-cp312-macosx_14_0_arm64.whl")
    assert "torch (==2.13.0)" in requires(mac)
    audio = metadata_of(standin, "cpu", "torchaudio-2.9.1+cpu-cp312-cp312-win_amd64.whl")
    assert requires(audio) == ["torch==2.9.1+cpu"]
    assert (
        requires(
            # unlabelled on aarch64, as the indexes serve it (evidence/indexes.yml)
            metadata_of(standin, "cu128", "torchaudio-2.11.0-cp312-cp312-manylinux_2_28_aarch64.whl")
        )
        == []
    )


def test_stale_copies_shadow_pypi_as_the_real_index_does(standin):
    numpy = filenames(standin, "cu130", "numpy")
    assert {f.split("-")[1] for f in numpy} == {"2.1.2"}
    assert "numpy-2.1.2-cp313-cp313-win_amd64.whl" in numpy
    jinja = metadata_of(standin, "cpu", "Jinja2-3.1.4-py3-none-any.whl")
    assert requires(jinja)[0] == "MarkupSafe>=2.0"


# ---------------------------------------------------------------------------------------------
# uv against it, and the command line


def test_uv_locks_torch_from_the_standin_and_the_rest_from_pypi(standin, tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        f"""[project]
name = "probe"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = ["torch>=2.13"]

[[tool.uv.index]]
name = "pytorch-cpu"
url = "{standin.url}/cpu"
explicit = true

[tool.uv.sources]
torch = {{ index = "pytorch-cpu" }}

[tool.uv]
environments = ["sys_platform == 'linux' and platform_machine == 'x86_64'"]
"""
    )
    env = {
        **os.environ,
        "UV_EXCLUDE_NEWER": "2026-11-15T00:00:00Z",
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_NO_CONFIG": "1",
    }
    result = subprocess.run(
        [find_uv_bin(), "lock"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    packages = {p["name"]: p for p in tomllib.loads((tmp_path / "uv.lock").read_text())["package"]}
    assert packages["torch"]["version"] == "2.15.0+cpu"
    assert packages["torch"]["source"] == {"registry": f"{standin.url}/cpu"}
    wheel = packages["torch"]["wheels"][0]
    assert wheel["url"].startswith(f"{standin.url}/cpu/torch-2.15.0%2Bcpu-")
    assert wheel["upload-time"] == f"{CATALOG.release('2.15').released}T16:00:00Z"
    for name in ("jinja2", "sympy", "filelock", "typing-extensions", "setuptools"):
        assert packages[name]["source"] == {"registry": "https://pypi.org/simple"}, name


STANDIN_COMMAND = [sys.executable, "-m", "uv_torch_template.standin"]


def test_command_line_serves_another_catalog(tmp_path):
    """--catalog: a stand-in that differs from catalog.yml (here: cu130 without its newest release)."""
    import yaml

    from uv_torch_template.catalog import load_raw
    from uv_torch_template.checks.survey import Reader, survey_backend

    raw = load_raw()
    newest = raw["backends"]["cu130"]["torch"].pop()
    (tmp_path / "catalog.yml").write_text(yaml.safe_dump(raw))
    process = subprocess.Popen(
        [*STANDIN_COMMAND, "--wheelhouse", str(tmp_path), "--catalog", str(tmp_path / "catalog.yml")],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    try:
        url = process.stdout.readline().strip()
        drifts = [str(d) for d in survey_backend(CATALOG, Reader(url), "cu130")]
        assert drifts == [f"cu130 torch {newest}: release: catalog says carried, index has none (lost)"]
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_command_line_prints_the_url_and_stops_on_sigterm(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "uv_torch_template.standin", "--port", "0", "--wheelhouse", str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    try:
        url = process.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/whl", url)
        assert fetch(f"{url}/cpu/")[0] == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        process.kill()
        process.wait()


# ---------------------------------------------------------------------------------------------
# the command line fails in one line, and a broken wheel does not break a page


def _busy_port() -> tuple[socket.socket, int]:
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    return holder, holder.getsockname()[1]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--port", "BUSY"], "cannot listen on 127.0.0.1:"),
        (["--host", "no-such-host.invalid"], "cannot resolve host 'no-such-host.invalid'"),
        (["--port", "70000"], "port 70000 is outside 0-65535"),
        (["--port", "eighty"], "not a port number: 'eighty'"),
        (["--wheelhouse", "MISSING"], "is not a folder"),
        (["--catalog", "MISSING"], "is not a file"),
    ],
    ids=["port-in-use", "bad-host", "port-out-of-range", "port-not-a-number", "no-wheelhouse", "no-catalog"],
)
def test_command_line_fails_in_one_line(args, says, tmp_path):
    holder, busy = _busy_port()
    args = [str(busy) if a == "BUSY" else str(tmp_path / "missing") if a == "MISSING" else a for a in args]
    try:
        result = subprocess.run(
            [sys.executable, "-m", "uv_torch_template.standin", *args],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=Path(__file__).resolve().parent.parent,
        )
    finally:
        holder.close()
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert says in lines[0] and "Traceback" not in result.stderr


def test_a_corrupt_wheel_is_named_and_the_page_still_serves(tmp_path, capfd):
    broken = "torch-2.13.0+cpu-cp312-cp312-manylinux_2_28_x86_64.whl"
    (tmp_path / broken).write_bytes(b"this is not a zip file")
    with StandinIndex(wheelhouses=[tmp_path]) as index:
        torch = page(index, "cpu/torch/")
        status, _, body = fetch(torch.target(torch.files[broken]))
    assert status == 200 and zipfile.is_zipfile(io.BytesIO(body))
    assert torch.files[broken]["href"].endswith("#sha256=" + hashlib.sha256(body).hexdigest())
    assert set(torch.files) == filenames_without_wheelhouse("cpu", "torch")  # every other file too
    assert f"{tmp_path / broken}: not a readable wheel" in capfd.readouterr().err


def filenames_without_wheelhouse(variant: str, project: str) -> set[str]:
    with StandinIndex(wheelhouses=[]) as index:
        return filenames(index, variant, project)
