"""A metadata-only torch as the stand-in index serves it, installed into a folder for PYTHONPATH."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from uv_torch_template.catalog import load
from uv_torch_template.standin.dists import variant_dists
from uv_torch_template.standin.facts import load as load_facts
from uv_torch_template.standin.wheels import build_wheel


def install_metadata_only_torch(site: Path) -> str:
    """Unpack the stand-in's stub of a CPU torch wheel into `site`, as an installer would: a
    `torch-<version>.dist-info` and no `torch` package. Returns the version it carries."""
    dists = variant_dists(load(), load_facts(), "cpu")
    stub = next(dist for dist in dists if dist.name == "torch")
    with zipfile.ZipFile(io.BytesIO(build_wheel(stub))) as wheel:
        wheel.extractall(site)
    assert not (site / "torch").exists()
    return stub.version
