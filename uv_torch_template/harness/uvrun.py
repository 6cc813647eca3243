"""Run uv on a rendered project the way the tests and nox sessions need it: offline from the
PyTorch indexes' point of view, reproducible in time, and without the user's own uv settings."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from uv_torch_template.catalog import load

# PyPI resolution is pinned in time, so a new PyPI release cannot change what the suite locks;
# the stand-in's upload times all fall before it.
EXCLUDE_NEWER = "2026-11-15T00:00:00Z"


def uv_binary() -> str:
    found = shutil.which("uv")
    if found is None:
        raise RuntimeError("uv is not on PATH: run the suite through `uv run pytest`")
    return found


# A developer's or the machine's uv.toml must not change what the suite sees. Not UV_NO_CONFIG:
# that also makes uv ignore the project's own non-explicit indexes for packages without a
# source (uv 0.13.9), which would hide the very shadowing the tests reproduce.
_EMPTY_CONFIG_HOME = tempfile.mkdtemp(prefix="uvtt-no-user-config-")


def uv_environment(exclude_newer: str | None = EXCLUDE_NEWER) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        UV_PYTHON_DOWNLOADS="never",  # this machine cannot download Pythons
        XDG_CONFIG_HOME=_EMPTY_CONFIG_HOME,
        XDG_CONFIG_DIRS=_EMPTY_CONFIG_HOME,
        UV_NO_PROGRESS="1",
    )
    for name in (
        "UV_CONFIG_FILE",
        "UV_INDEX",
        "UV_INDEX_URL",
        "UV_EXTRA_INDEX_URL",
        "UV_DEFAULT_INDEX",
        "UV_INDEX_STRATEGY",
        "UV_FIND_LINKS",
        "UV_NO_CONFIG",
        # A caller's environment must not stand in for the rendered project's own (nox sets
        # these to its session's virtualenv).
        "UV_PYTHON",
        "UV_PROJECT_ENVIRONMENT",
        "VIRTUAL_ENV",
    ):
        env.pop(name, None)
    if exclude_newer:
        env["UV_EXCLUDE_NEWER"] = exclude_newer
    else:
        env.pop("UV_EXCLUDE_NEWER", None)
    return env


@dataclass(frozen=True)
class UvResult:
    args: tuple[str, ...]
    returncode: int
    output: str
    seconds: float

    def check(self) -> UvResult:
        if self.returncode != 0:
            raise AssertionError(f"uv {' '.join(self.args)} failed ({self.returncode}):\n{self.output}")
        return self


def run_uv(
    project: Path,
    *args: str,
    python: str | None = None,
    timeout: float = 300,
    exclude_newer: str | None = EXCLUDE_NEWER,
    extra_env: dict[str, str] | None = None,
) -> UvResult:
    command = [uv_binary(), *args]
    if python is not None:
        command += ["--python", python]
    env = uv_environment(exclude_newer)
    env.update(extra_env or {})
    started = time.perf_counter()
    completed = subprocess.run(
        command,
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    return UvResult(
        tuple(args), completed.returncode, completed.stdout + completed.stderr, time.perf_counter() - started
    )


def available_pythons() -> list[str]:
    """The catalog's Python versions uv can find here without downloading."""
    found = []
    for minor in load().python_versions:
        probe = subprocess.run(
            [uv_binary(), "python", "find", minor],
            env=uv_environment(None),
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode == 0:
            found.append(minor)
    return found
