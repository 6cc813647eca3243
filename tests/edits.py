"""Edits a user makes to a rendered project, made with the user's own tool: uv."""

from __future__ import annotations

from pathlib import Path

import tomllib

from uv_torch_template.harness.uvrun import run_uv


def dependencies(project: Path) -> list[str]:
    return tomllib.loads((project / "pyproject.toml").read_text())["project"]["dependencies"]


def add_user_dependencies(
    project: Path, *requirements: str, dev: bool = False, extra: str | None = None
) -> list[str]:
    """`uv add --frozen REQUIREMENT...` (`--dev` for the dev group, `--optional EXTRA` for an
    extra): uv writes them where it writes them, and the project is locked later, by the test.
    Returns the requirements as uv wrote them into `[project] dependencies`."""
    before = dependencies(project)
    where = ["--dev"] if dev else ["--optional", extra] if extra else []
    run_uv(project, "add", "--frozen", *where, *requirements).check()
    return [line for line in dependencies(project) if line not in before]


def remove_user_dependencies(project: Path, *names: str, dev: bool = False) -> None:
    run_uv(project, "remove", "--frozen", *(["--dev"] if dev else []), *names).check()
