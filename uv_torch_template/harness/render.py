"""Render the template the way a user does, without --trust, for tests and nox sessions."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path
from typing import Any

import copier

from uv_torch_template.catalog import REPO_ROOT


def render(
    answers: dict[str, Any], destination: Path, template: Path | str = REPO_ROOT, **options: Any
) -> Path:
    """`copier copy --defaults --data ...` with unsafe=False: a template that needed trust fails here.

    Without a vcs_ref Copier renders the newest release tag, not what is checked out: the tests and
    nox sessions render HEAD with its uncommitted changes, as a developer means them to.
    """
    options.setdefault("vcs_ref", "HEAD")
    with warnings.catch_warnings():
        # Rendering from a working tree with uncommitted changes is what a developer does here.
        warnings.simplefilter("ignore", copier.errors.DirtyLocalWarning)
        copier.run_copy(
            str(template),
            str(destination),
            data=answers,
            defaults=True,
            unsafe=False,
            quiet=True,
            **options,
        )
    return destination


def render_afresh(answers: dict[str, Any], destination: Path, **options: Any) -> Path:
    """Render into `destination`, replacing whatever an earlier render left there."""
    if destination.exists():
        shutil.rmtree(destination)
    return render(answers, destination, **options)
