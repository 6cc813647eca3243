"""A user's `uv add`, `uv add --dev` and `uv remove` survive a switch to any other strategy.

The user edits the rendered project with uv itself (tests/edits.py), never by hand: `uv add`
puts a requirement where uv puts it (appended to an unsorted list, in name order in a sorted
one), `uv remove` takes one out. Then `copier update --data strategy=<other>` must leave no conflict marker,
keep every requirement the user added and none they removed, and leave a pyproject.toml that
parses and locks.

Every ordered pair of the five strategies is 20 updates: each source project is rendered and
edited once and copied per target. The default tier runs one pair (`extras` to `platform`, which
put conflict markers into pyproject.toml before the layout was reshaped, as did extras to pypi and
library and single to extras); `-m slow` runs the other 19.
"""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest
import tomllib
from copier import run_update

from tests.edits import add_user_dependencies, remove_user_dependencies
from tests.test_update import commit_all, git, tagged_template_copy
from uv_torch_template.catalog import load
from uv_torch_template.expectations.matrix import BASE_ANSWERS
from uv_torch_template.harness.answer_space import STRATEGIES
from uv_torch_template.harness.render import render
from uv_torch_template.harness.uvrun import run_uv

pytestmark = pytest.mark.lock

CATALOG = load()
KEPT = {"dependencies": "rich", "dev": "tomli-w"}
REMOVED = "attrs"


def edit_with_uv(project: Path, strategy: str) -> None:
    """What the user does, in order, with uv: two requirements added (one sorts before every
    template line, one after), one of them removed again, a dev tool added, and an extra of
    their own. Not from `extras`: there uv appends the extra right after the backend extras a
    switch removes, and the merge conflicts (a known limit, see CHANGELOG.md)."""
    add_user_dependencies(project, "rich")
    add_user_dependencies(project, "attrs")
    add_user_dependencies(project, "tomli-w", dev=True)
    if not CATALOG.strategies[strategy].extras:
        add_user_dependencies(project, "six", extra="viz")
    remove_user_dependencies(project, "attrs")


# The default tier: the first example (torch moves from the extras into `dependencies`).
DEFAULT_PAIRS = {("extras", "platform")}
PAIRS = [
    pytest.param(source, target, marks=() if (source, target) in DEFAULT_PAIRS else pytest.mark.slow)
    for source, target in itertools.permutations(STRATEGIES, 2)
]


def answers_for(strategy: str) -> dict[str, object]:
    """The answers a switch to `strategy` passes: backends it takes (exactly one, or one
    accelerator with cpu), none where it keeps the recorded ones."""
    does = CATALOG.strategies[strategy]
    if not does.backends:
        return {"strategy": strategy}
    return {"strategy": strategy, "backends": ["cpu"] if does.one_backend else ["cpu", "cu130"]}


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return tagged_template_copy(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="module")
def edited(template, standin, tmp_path_factory):
    """Per source strategy, once: rendered, committed, edited with uv, committed again."""
    projects: dict[str, Path] = {}

    def project_for(strategy: str) -> Path:
        if strategy not in projects:
            project = tmp_path_factory.mktemp(f"from-{strategy}") / "project"
            data = {
                **BASE_ANSWERS,
                "torch_version": "2.13",
                "lock_platforms": ["linux-x86_64"],
                "index_url": standin.url,
                **answers_for(strategy),
            }
            render(data, project, template=template, vcs_ref="v1.0.0")
            git(project, "init", "-q", "-b", "main")
            commit_all(project, "rendered")
            edit_with_uv(project, strategy)
            commit_all(project, "our dependencies")
            projects[strategy] = project
        return projects[strategy]

    return project_for


@pytest.mark.parametrize("source,target", PAIRS)
def test_a_strategy_switch_keeps_what_the_user_added_with_uv(edited, source, target, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(edited(source), project, symlinks=True)
    run_update(
        str(project), data=answers_for(target), defaults=True, overwrite=True, unsafe=False, quiet=True
    )
    text = (project / "pyproject.toml").read_text()
    assert "<<<<<<<" not in text and ">>>>>>>" not in text, f"conflict markers:\n{text}"
    assert not list(project.rglob("*.rej")), "rejected hunks"
    pyproject = tomllib.loads(text)
    assert f"strategy: {target}" in (project / ".copier-answers.yml").read_text(), "the switch took effect"
    dependencies = " ".join(pyproject["project"]["dependencies"])
    assert KEPT["dependencies"] in dependencies, dependencies
    assert REMOVED not in dependencies, "uv remove stays removed"
    assert any(KEPT["dev"] in line for line in pyproject["dependency-groups"]["dev"])
    if not CATALOG.strategies[source].extras:
        assert [line.split(">")[0] for line in pyproject["project"]["optional-dependencies"]["viz"]] == [
            "six"
        ]
    run_uv(project, "lock").check()
