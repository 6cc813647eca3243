"""Promises of the rendered project that only a broken copy would show: each test here fails when
the promise is taken out of the template (a lock that covers every platform, --locked, the
update advice, the weekly cadence).
"""

from __future__ import annotations

import copy
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from packaging.markers import Marker
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from tests.edits import add_user_dependencies
from uv_torch_template.catalog import load, load_raw, parse
from uv_torch_template.checks.lockfile import marker_environment
from uv_torch_template.expectations.matrix import Combo
from uv_torch_template.expectations.variants import expected_label, expected_variants
from uv_torch_template.harness.render import render
from uv_torch_template.harness.uvrun import run_uv
from uv_torch_template.standin import StandinIndex

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

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


# ---------------------------------------------------------------------------------------------
# What [tool.uv] promises: the uv it needs, and a lock that covers every chosen platform.

PYPROJECT_SHAPES = [
    Combo("extras", ("cpu", "cu130", "rocm7.2"), "2.13", torch_packages=("torchvision",)),
    Combo("platform", ("cpu", "xpu"), "2.13", lock_platforms=("linux-x86_64", "windows-x86_64")),
    Combo("pypi", (), "2.13"),
]


@pytest.fixture(scope="module")
def rendered_pyproject(tmp_path_factory):
    """Combo -> its rendered pyproject.toml, parsed; each rendered once per worker."""
    parsed: dict[Combo, dict] = {}

    def get(combo: Combo) -> dict:
        if combo not in parsed:
            project = render(combo.answers(), tmp_path_factory.mktemp(combo.strategy) / "project")
            parsed[combo] = tomllib.loads((project / "pyproject.toml").read_text())
        return parsed[combo]

    return get


def _found(node, path: list[str]) -> bool:
    """Whether a TOML path (`*` for any key, lists searched item by item) leads to a value."""
    if isinstance(node, list):
        return any(_found(item, path) for item in node)
    if not path:
        return node is not None and node is not False
    if not isinstance(node, dict):
        return False
    key, rest = path[0], path[1:]
    if key == "*":
        return any(_found(value, rest) for value in node.values())
    return key in node and _found(node[key], rest)


@pytest.mark.parametrize("combo", PYPROJECT_SHAPES, ids=lambda combo: combo.strategy)
def test_required_version_admits_no_uv_older_than_a_feature_the_pyproject_uses(
    rendered_pyproject, tmp_path, combo
):
    """uv older than a setting it reads would ignore or misread it (a conflict it does not
    enforce, a platform it does not require); catalog.yml's uv_needs says which uv brought each."""
    pyproject = rendered_pyproject(combo)
    needs = CATALOG.tools["uv_needs"]
    used = {
        path: Version(str(fact["version"]))
        for path, fact in needs.items()
        if _found(pyproject, path.split("."))
    }
    assert used, "every rendered pyproject relies on some uv feature"
    required = SpecifierSet(pyproject["tool"]["uv"]["required-version"])
    floors = [Version(s.version) for s in required if s.operator in (">=", "~=", "==")]
    assert floors, f"required-version {required} has no lower bound"
    for path, version in used.items():
        assert min(floors) >= version, f"{path} needs uv >= {version}, required-version says {required}"
    # ... and the uv this suite locks with satisfies it.
    suite_uv = run_uv(tmp_path, "--version").output.split()[1]
    assert required.contains(suite_uv), (required, suite_uv)


@pytest.mark.parametrize("combo", PYPROJECT_SHAPES, ids=lambda combo: combo.strategy)
def test_every_lock_platform_is_a_required_environment(rendered_pyproject, combo):
    """Each chosen platform is matched by exactly one required environment, so that a platform
    without a wheel fails `uv lock`, not a colleague's `uv sync`."""
    settings = rendered_pyproject(combo)["tool"]["uv"]
    required = [Marker(text) for text in settings.get("required-environments", [])]
    for platform in combo.lock_platforms:
        matching = [m for m in required if m.evaluate(marker_environment(platform, combo.python_version))]
        assert len(matching) == 1, (platform, settings.get("required-environments"))
    assert len(required) == len(combo.lock_platforms)


# ---------------------------------------------------------------------------------------------
# CI's commands, run as CI runs them.


def _job_commands(workflow: Path, job: str) -> list[str]:
    jobs = yaml.safe_load(workflow.read_text())["jobs"]
    return [step["run"] for step in jobs[job]["steps"] if "run" in step]


@pytest.mark.lock
def test_ci_checks_the_lock_without_rewriting_it(tmp_path, standin):
    """The lock job's command passes on a fresh uv.lock and fails once pyproject.toml changed."""
    combo = Combo("single", ("cpu",), "2.13", lock_platforms=("linux-x86_64",))
    project = render(combo.answers(index_url=standin.url), tmp_path / "project")
    (command,) = [c for c in _job_commands(project / GITHUB_CI, "lock") if c.startswith("uv ")]
    run_uv(project, "lock").check()
    assert run_uv(project, *command.split()[1:]).returncode == 0
    lock_before = (project / "uv.lock").read_text()
    add_user_dependencies(project, "packaging")  # `uv add --frozen`: pyproject changes, uv.lock not
    stale = run_uv(project, *command.split()[1:])
    assert stale.returncode != 0, stale.output
    assert (project / "uv.lock").read_text() == lock_before, "the check must not rewrite uv.lock"


ON_LINUX_X86_64 = (sys.platform, os.uname().machine if os.name == "posix" else "") == ("linux", "x86_64")


@pytest.mark.skipif(not ON_LINUX_X86_64, reason="the fake torch below is a Linux x86_64 build")
def test_the_gpu_jobs_smoke_test_fails_where_torch_sees_no_gpu(tmp_path):
    """The GPU job's smoke test, with the job's own variables (a repository that has not set
    vars.TORCH_VARIANT), against a CUDA torch that sees no GPU: it fails, where without the
    job's variables it skips."""
    combo = Combo("extras", ("cpu", "cu130"), "2.13")
    project = render(combo.answers(), tmp_path / "project")
    job = yaml.safe_load((project / GITHUB_CI).read_text())["jobs"]["gpu"]
    env = {}
    for name, value in job["env"].items():  # `${{ vars.X || 'default' }}` with vars.X unset
        default = re.fullmatch(r"\$\{\{ vars\.\w+ \|\| '([^']*)' \}\}", str(value))
        env[name] = default.group(1) if default else str(value)
    (variant,) = [v for v in expected_variants(CATALOG, combo) if v.extra == env["TORCH_VARIANT"]]
    build = variant.builds["linux-x86_64"]
    version = CATALOG.backends[build].newest_version(variant.release)
    label = expected_label(CATALOG, build, "linux-x86_64")
    fake = tmp_path / "fake" / "torch"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(
        f'__version__ = "{version}+{label}"\n'
        "class version:\n    cuda = hip = xpu = None\n"
        "class cuda:\n    is_available = staticmethod(lambda: False)\n"
    )
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    command += ["tests/test_smoke.py", "-k", "sees_its_gpu"]
    # The rendered project's tests need no plugin of this suite's environment.
    base = {
        **os.environ,
        "PYTHONPATH": f"src{os.pathsep}{fake.parent}",
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
    }
    for name in ("TORCH_REQUIRE_GPU", "TORCH_VARIANT"):
        base.pop(name, None)
    in_the_job = subprocess.run(command, cwd=project, env={**base, **env}, capture_output=True, text=True)
    assert in_the_job.returncode == 1, in_the_job.stdout
    assert "TORCH_REQUIRE_GPU" in in_the_job.stdout
    elsewhere = subprocess.run(
        command,
        cwd=project,
        env={**base, "TORCH_VARIANT": env["TORCH_VARIANT"]},
        capture_output=True,
        text=True,
    )
    assert elsewhere.returncode == 0 and "1 skipped" in elsewhere.stdout, elsewhere.stdout
