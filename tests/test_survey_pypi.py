"""`nox -s survey -- --pypi` against a PyPI-shaped server that replays the recorded evidence
(PEP 691 JSON pages, PEP 658 sidecars): the same code as the live run, no network but loopback."""

from __future__ import annotations

import copy
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from uv_torch_template.catalog import load, load_raw, parse
from uv_torch_template.checks.survey_pypi import read_pypi, survey_pypi
from uv_torch_template.evidence.store import pypi_record
from uv_torch_template.standin.facts import load as load_facts

REPLAYED = ("torch", "torchvision", "torchaudio", "triton", "rocm", "rocm-sdk-core")


def _metadata(project: str, version: str, record: dict) -> bytes:
    lines = [f"Metadata-Version: {record['metadata_version']}", f"Name: {project}", f"Version: {version}"]
    if record["requires_python"]:
        lines.append(f"Requires-Python: {record['requires_python']}")
    lines += [f"Requires-Dist: {line}" for line in record["requires_dist"]]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(scope="module")
def replayed_pypi():
    pages: dict[str, bytes] = {}
    sidecars: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = pages.get(self.path) or sidecars.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "application/vnd.pypi.simple.v1+json")
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{server.server_port}"
    for project in REPLAYED:
        record = pypi_record(project)
        files = []
        for version, release in record["releases"].items():
            for file in release["files"]:
                url = f"{base}/files/{file['filename']}"
                files.append(
                    {
                        "filename": file["filename"],
                        "url": url,
                        "hashes": {"sha256": file["sha256"]},
                        "upload-time": file["upload_time"],
                        "requires-python": file["requires_python"],
                        "size": 1,
                    }
                )
            for metadata in release["metadata"].values():
                sidecars[f"/files/{metadata['read_from']}.metadata"] = _metadata(project, version, metadata)
        pages[f"/simple/{project}/"] = json.dumps({"name": project, "files": files}).encode()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    # Read once, as the live survey does (JSON pages, then one METADATA per version and platform).
    yield f"{base}/simple", read_pypi(f"{base}/simple", load())
    server.shutdown()


def test_todays_catalog_has_no_contradiction_on_the_replayed_pypi(replayed_pypi):
    url, records = replayed_pypi
    assert {p for p, r in records.items() if r["releases"]} == set(REPLAYED)
    found = survey_pypi(load_facts(), url, catalog=load(), records=records)
    assert not found, "\n".join(map(str, found))


def test_a_changed_pairing_is_named(replayed_pypi):
    raw = copy.deepcopy(load_raw())
    release = next(r for r in raw["releases"] if r["torch"] == "2.13")
    release["torchvision"] = "0.27.1"
    url, records = replayed_pypi
    found = [str(c) for c in survey_pypi(load_facts(), url, catalog=parse(raw), records=records)]
    assert (
        f"torch 2.13: torchvision of 2.13.0: catalog says 0.27.1, evidence has 0.28.0 ({url}/torchvision/)"
        in found
    ), found


def test_a_pin_pypi_does_not_have_is_named():
    """The survey reads the versions of every nvidia-*/cuda-*/triton project the CUDA builds pin."""
    from uv_torch_template.checks.evidence_check import pin_contradictions

    facts = copy.deepcopy(load_facts())
    lines = facts["torch"]["builds"]["cu126"]["2.13"]["requires"]
    lines[:] = [line.replace("triton==3.7.1", "triton==3.7.9") for line in lines]
    versions = {"triton": list(pypi_record("triton")["releases"])}
    found = [str(c) for c in pin_contradictions(load(), facts, versions)]
    assert any(
        line.startswith("cu126 2.13 (facts.yml): triton==3.7.9: catalog says installable") for line in found
    ), found
    assert not pin_contradictions(load(), load_facts(), versions)
