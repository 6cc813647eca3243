"""Promises of the rendered project that only a broken copy would show: each test here fails when
the promise is taken out of the template (a lock that covers every platform, --locked, the
update advice, the weekly cadence).
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from uv_torch_template.catalog import load, load_raw, parse
from uv_torch_template.expectations.matrix import Combo
from uv_torch_template.harness.render import render
from uv_torch_template.harness.uvrun import run_uv
from uv_torch_template.standin import StandinIndex

pytestmark = [
    pytest.mark.filterwarnings("ignore::copier.errors.DirtyLocalWarning"),
    pytest.mark.filterwarnings("ignore::copier.errors.MissingFileWarning"),
]

CATALOG = load()
NEWEST = CATALOG.backends["cu130"].torch[-1]
GITHUB_CI = Path(".github") / "workflows" / "ci.yml"


def _without_aarch64_wheels(backend: str, release: str):
    """The catalog, but `backend` serves no Linux aarch64 wheel of `release`."""
    raw = copy.deepcopy(load_raw())
    platforms = [p for p in CATALOG.backends[backend].platforms_for(release) if p != "linux-aarch64"]
    raw["backends"][backend].setdefault("release_platforms", {})[release] = platforms
    return parse(raw)


@pytest.mark.lock
def test_a_platform_without_its_wheel_fails_the_lock_and_is_named(tmp_path):
    """The lock covers every chosen platform or fails now, naming the one without a wheel, not
    `uv sync` later on a colleague's aarch64 machine. (uv 0.13.9 fails here on the per-platform
    `environments` alone; `required-environments` also covers a package that has an sdist.)"""
    combo = Combo("extras", ("cu130",), NEWEST, lock_platforms=("linux-x86_64", "linux-aarch64"))
    with StandinIndex(wheelhouses=[], catalog=_without_aarch64_wheels("cu130", NEWEST)) as index:
        project = render(combo.answers(index_url=index.url), tmp_path / "project")
        assert "required-environments" in (project / "pyproject.toml").read_text()
        refused = run_uv(project, "lock")
        assert refused.returncode != 0
        assert "platform_machine == 'aarch64'" in refused.output, refused.output
        assert f"torch=={NEWEST}" in refused.output.replace(".0+cu130", "")


def _ci_commands(project: Path) -> list[str]:
    """Every shell command of the rendered CI, GitHub's or GitLab's."""
    commands = []
    github = project / GITHUB_CI
    if github.exists():
        for job in yaml.safe_load(github.read_text())["jobs"].values():
            commands += [step["run"] for step in job["steps"] if "run" in step]
    gitlab = project / ".gitlab-ci.yml"
    if gitlab.exists():
        for job in yaml.safe_load(gitlab.read_text()).values():
            if isinstance(job, dict):
                commands += [line for key in ("before_script", "script") for line in job.get(key, [])]
    return commands


@pytest.mark.parametrize("ci", ["github", "gitlab"])
@pytest.mark.parametrize(
    "combo",
    [
        Combo("extras", ("cpu", "cu130", "rocm7.2"), "2.13"),
        Combo("platform", ("cpu", "cu130"), "2.13"),
        Combo("pypi", (), "2.13"),
        Combo("library", (), "2.13"),
    ],
    ids=lambda combo: combo.strategy,
)
def test_every_sync_in_ci_is_locked(tmp_path, combo, ci):
    """CI installs exactly uv.lock: a `uv sync` without --locked would re-resolve and pass with a
    lock that no longer matches pyproject.toml."""
    project = render({**combo.answers(), "ci": ci}, tmp_path / "project")
    syncs = [command for command in _ci_commands(project) if command.startswith("uv sync")]
    assert syncs, "the CI installs the project somewhere"
    assert all("--locked" in command.split() for command in syncs), syncs


def test_template_update_check_is_weekly_and_advises_update_never_recopy(tmp_path):
    project = render(Combo("extras", ("cpu",), "2.13").answers(), tmp_path / "project")
    workflow = yaml.safe_load((project / ".github" / "workflows" / "template-update.yml").read_text())
    (schedule,) = workflow[True]["schedule"]  # PyYAML reads `on:` as True
    minute, hour, day, month, weekday = schedule["cron"].split()
    assert minute.isdigit() and hour.isdigit() and (day, month) == ("*", "*") and weekday.isdigit()
    steps = "\n".join(step.get("run", "") for step in workflow["jobs"]["update"]["steps"])
    assert ".github/template_update.py" in steps
    script = (project / ".github" / "template_update.py").read_text()
    assert '"copier", "update", "--defaults"' in script
    # recopy renders afresh and drops the user's edits; update merges them.
    assert "recopy" not in steps + script and "--overwrite" not in steps + script
