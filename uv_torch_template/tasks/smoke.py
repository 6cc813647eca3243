"""A real install of a rendered project: `uv sync` with a real torch wheel, then the project's
own tests and lint. Behind `nox -s smoke`; tests/test_readme_commands.py does the same through the
rendered README's and docs/pytorch.md's own commands.

Offline, the wheel comes from the wheelhouse (the folders in PIP_FIND_LINKS) through the
stand-in index, which serves the real file in place of its stub; --online uses the real CPU index.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from uv_torch_template.catalog import load
from uv_torch_template.expectations.matrix import Combo
from uv_torch_template.harness.questions import copier_default
from uv_torch_template.harness.render import render
from uv_torch_template.harness.uvrun import UvResult, run_uv

# The real wheel this machine carries: torch 2.13.0+cpu for CPython 3.11 on Linux x86_64.
SMOKE_TORCH = "2.13.0"
SMOKE_PYTHON = "3.11"
SMOKE_COMBO = Combo(load().strategy_where(extras=True), ("cpu",), "2.13", python_version=SMOKE_PYTHON)
DOCTOR = "tools/pytorch_doctor.py"  # the rendered doctor: a script beside the package


def wheelhouses() -> list[Path]:
    return [Path(p) for p in os.environ.get("PIP_FIND_LINKS", "").split() if Path(p).is_dir()]


def real_torch_wheel() -> Path | None:
    for folder in wheelhouses():
        found = sorted(folder.glob(f"torch-{SMOKE_TORCH}+cpu-cp311-cp311-*x86_64.whl"))
        if found:
            return found[0]
    return None


@contextlib.contextmanager
def index_for_smoke(online: bool) -> Iterator[str]:
    if online:
        yield copier_default("index_url")
        return
    from uv_torch_template.standin import StandinIndex

    with StandinIndex(wheelhouses=wheelhouses()) as index:
        yield index.url


def install_and_test(project: Path, index_url: str) -> list[UvResult]:
    """Render, lock (torch held at the release the real wheel has), sync, then the project's checks."""
    render(SMOKE_COMBO.answers(index_url=index_url), project)
    env = {"TORCH_VARIANT": "cpu"}
    steps = [
        ("lock", "--upgrade-package", f"torch=={SMOKE_TORCH}"),
        ("lock", "--check"),
        ("sync", "--extra", "cpu", "--python", SMOKE_PYTHON),
        (
            "run",
            "--extra",
            "cpu",
            "--no-sync",
            "python",
            "-c",
            "import torch; print(torch.__version__, (torch.ones(2, 2) @ torch.ones(2, 2)).sum().item())",
        ),
        ("run", "--extra", "cpu", "--no-sync", "pytest", "-q", "-rs"),
        ("run", "--extra", "cpu", "--no-sync", "ruff", "check", "."),
        ("run", "--extra", "cpu", "--no-sync", "ruff", "format", "--check", "."),
        ("run", "--no-sync", "python", DOCTOR),
        # What the doctor says of uv: a plain `uv sync` (no --extra) removes torch.
        ("sync", "--python", SMOKE_PYTHON),
        ("run", "--no-sync", "python", "-c", "import importlib.util as u; print(u.find_spec('torch'))"),
    ]
    results = []
    for step in steps:
        result = run_uv(project, *step, timeout=900, extra_env=env)
        print(f"$ uv {' '.join(step)}  ({result.seconds:.1f} s)\n{result.output.strip()}\n", flush=True)
        results.append(result.check())
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m uv_torch_template.tasks.smoke")
    parser.add_argument(
        "--online", action="store_true", help="use the real CPU index instead of the stand-in"
    )
    parser.add_argument("--keep", type=Path, help="render into this folder and keep it")
    args = parser.parse_args(argv)
    if not args.online and real_torch_wheel() is None:
        print(
            f"error: no torch-{SMOKE_TORCH}+cpu cp311 wheel in PIP_FIND_LINKS; pass --online "
            "to install from the real CPU index",
            file=sys.stderr,
        )
        return 2
    with index_for_smoke(args.online) as index_url, tempfile.TemporaryDirectory() as scratch:
        project = args.keep or Path(scratch) / "smoke-project"
        try:
            install_and_test(project, index_url)
        except AssertionError as failure:
            print(f"smoke FAILED: {failure}", file=sys.stderr)
            return 1
    print("smoke passed: real torch installed, the rendered project's tests and lint pass")
    return 0


if __name__ == "__main__":
    sys.exit(main())
