"""A real install: a rendered CPU project `uv sync`s the real torch wheel (served by the stand-in
from the wheelhouse in place of its stub), and the project's own smoke test, doctor tests and
lint pass on it: the build really is the one asked for, and tensors really compute."""

from __future__ import annotations

import pytest

from uv_torch_template.smoke import (
    DOCTOR,
    SMOKE_PYTHON,
    SMOKE_TORCH,
    install_and_test,
    real_torch_wheel,
    wheelhouses,
)
from uv_torch_template.standin import StandinIndex


@pytest.mark.install
def test_rendered_project_installs_real_torch_and_passes_its_own_tests_and_lint(tmp_path):
    wheel = real_torch_wheel()
    if wheel is None:  # pragma: no cover - the machines this suite runs on carry the wheel
        pytest.skip(f"no torch-{SMOKE_TORCH}+cpu cp311 wheel in PIP_FIND_LINKS")
    with StandinIndex(wheelhouses=wheelhouses()) as index:
        results = install_and_test(tmp_path / "project", index.url)
    by_step = {" ".join(r.args): r.output for r in results}
    # The real build ran: its version and a computed value came back from the interpreter.
    computed = next(
        out for step, out in by_step.items() if step.startswith("run --extra cpu --no-sync python")
    )
    assert f"{SMOKE_TORCH}+cpu 8.0" in computed
    tests = next(out for step, out in by_step.items() if "pytest" in step)
    assert " passed" in tests and " failed" not in tests and " error" not in tests
    # Of the smoke test only the GPU check may skip on this machine: the build check and the
    # computation ran against the real wheel.
    smoke_skips = [line for line in tests.splitlines() if line.startswith("SKIPPED") and "test_smoke" in line]
    assert all("GPU" in line for line in smoke_skips), smoke_skips
    # The doctor, in the synced environment, sees the real build and finds it the one to have.
    doctor = by_step[f"run --no-sync {DOCTOR}"]
    assert f"torch:         {SMOKE_TORCH}+cpu (CPU build)" in doctor, doctor
    assert "uv sync --extra cpu" in doctor and "is not the build" not in doctor, doctor
    # And, as it warns, a plain `uv sync` removes torch.
    assert f"- torch=={SMOKE_TORCH}+cpu" in by_step[f"sync --python {SMOKE_PYTHON}"]
    assert list(by_step.values())[-1].strip().splitlines()[-1] == "None"  # find_spec("torch")
