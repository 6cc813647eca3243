"""A user's edits survive `copier update` when the answers change.

The user adds a dependency with `uv add` (and removes another with `uv remove`) and appends text
at the end of README.md, the two places users edit, then updates: adding a backend, removing one,
switching strategy. Each update must merge without conflict markers and keep every line the user
wrote. (tests/test_strategy_switch.py switches between every pair of strategies.)
"""

from __future__ import annotations

import pytest
from copier import run_update

from tests.edits import add_user_dependencies, remove_user_dependencies
from tests.test_update import commit_all, git, tagged_template_copy
from uv_torch_template.expectations.matrix import BASE_ANSWERS
from uv_torch_template.harness.render import render

# The slow tier: a sweep of updates over one project (`uv run pytest -m slow`; .ci/run and CI run it).
pytestmark = pytest.mark.slow

OUR_DEPENDENCY = '"einops>=0.8",'  # as uv writes `uv add --frozen einops>=0.8`
OUR_README_TEXT = "\n## Our results\n\nThe model reaches 93% on the held-out set.\n"

# Each step: the answers the update passes, in order; every step changes what the template
# renders into both files (rows and sections of README.md; extras, sources, indexes).
STEPS = {
    "add-backend": {"backends": ["cpu", "cu130", "rocm7.2"]},
    "remove-backend": {"backends": ["cpu", "rocm7.2"]},
    "switch-strategy": {"strategy": "platform", "backends": ["cpu", "rocm7.2"]},
}


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """This template as a tagged git repository: `copier update` reads the recorded tag."""
    return tagged_template_copy(tmp_path_factory.mktemp("template"))


def damage(text: str, ours: str, at_end: bool) -> str | None:
    """What went wrong with the user's text after an update, or None."""
    if "<<<<<<<" in text or ">>>>>>>" in text:
        return "conflict markers:\n" + text
    if ours not in text:
        return "the user's text is gone"
    if at_end and not text.endswith(ours):
        return "the user's text is no longer at the end"
    return None


@pytest.fixture(scope="module")
def updates(template, tmp_path_factory) -> dict[str, dict[str, str | None]]:
    """Render, edit, commit, then run each update step once: per step and file, what went wrong."""
    project = tmp_path_factory.mktemp("edited") / "project"
    answers = {**BASE_ANSWERS, "strategy": "extras", "backends": ["cpu"], "torch_version": "2.13"}
    render(answers, project, template=template, vcs_ref="v1.0.0")
    git(project, "init", "-q", "-b", "main")
    commit_all(project, "rendered")

    pyproject, readme = project / "pyproject.toml", project / "README.md"
    add_user_dependencies(project, "einops>=0.8", "attrs")
    remove_user_dependencies(project, "attrs")
    readme.write_text(readme.read_text() + OUR_README_TEXT)
    commit_all(project, "our dependency and our results")

    found = {}
    for step, data in STEPS.items():
        run_update(str(project), data=data, defaults=True, overwrite=True, unsafe=False, quiet=True)
        assert not list(project.rglob("*.rej")), f"{step}: rejected hunks"
        found[step] = {
            "README.md": damage(readme.read_text(), OUR_README_TEXT, at_end=True),
            "pyproject.toml": damage(pyproject.read_text(), OUR_DEPENDENCY, at_end=False),
            "answers": (project / ".copier-answers.yml").read_text(),
        }
        # Resolve nothing: commit as is, so that the next step starts from a clean tree.
        commit_all(project, f"update: {step}")
    return found


def test_text_appended_to_the_readme_survives_every_update(updates):
    for step, found in updates.items():
        assert found["README.md"] is None, f"{step}: {found['README.md']}"
    assert "strategy: platform" in updates["switch-strategy"]["answers"], "the updates took effect"


def test_a_dependency_added_by_hand_survives_every_update(updates):
    for step, found in updates.items():
        assert found["pyproject.toml"] is None, f"{step}: {found['pyproject.toml']}"
