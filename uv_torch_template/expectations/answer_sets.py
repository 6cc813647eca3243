"""The named answer sets the tests render, from answer-sets.yml: one catalogue, so that a set two
test files need is rendered once per test session (tests/conftest.py, `rendered_set`), and each
name says the same answers wherever it appears. Each set is example-answers.yml with a few
answers changed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from uv_torch_template.catalog import REPO_ROOT, load
from uv_torch_template.expectations.matrix import ALL_PLATFORMS, Combo

CATALOG = load()
EXAMPLE_ANSWERS: dict[str, Any] = yaml.safe_load((REPO_ROOT / "example-answers.yml").read_text())


def from_answers(answers: dict[str, Any]) -> Combo:
    """The Combo of a complete answer set (the identity answers are the tests' own)."""
    return Combo(
        answers["strategy"],
        tuple(answers.get("backends") or ()),
        str(answers["torch_version"]),
        python_version=str(answers["python_version"]),
        torch_packages=tuple(answers.get("torch_packages") or ()),
        lock_platforms=tuple(answers.get("lock_platforms") or ALL_PLATFORMS),
        ci=answers["ci"],
    )


def _answer_set(changes: dict[str, Any]) -> Combo:
    answers = {**EXAMPLE_ANSWERS, **changes}
    if answers["backends"] == "all":
        answers["backends"] = list(CATALOG.backends)
    if answers["torch_version"] == "oldest":
        answers["torch_version"] = CATALOG.releases[0].torch
    return from_answers(answers)


ANSWER_SETS: dict[str, Combo] = {
    name: _answer_set(changes or {})
    for name, changes in yaml.safe_load((Path(__file__).parent / "answer-sets.yml").read_text()).items()
}
