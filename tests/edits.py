"""Edits a user makes to a rendered project, as the tests make them."""

from __future__ import annotations

from pathlib import Path

# The rendered pyproject.toml's `dependencies` list ends with this comment: the lines above it are
# the template's, the lines below it the user's, so that `copier update` never merges into them.
USERS_DEPENDENCIES = "# Your dependencies go below this line"


def add_user_dependencies(project: Path, *requirements: str) -> str:
    """Add requirements where a user adds them; returns the lines added."""
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    end = text.index("\n", text.index(USERS_DEPENDENCIES)) + 1
    lines = "".join(f'    "{requirement}",\n' for requirement in requirements)
    pyproject.write_text(text[:end] + lines + text[end:])
    return lines
