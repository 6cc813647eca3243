"""Invariants of the template repository itself: trust-free, one set of action pins, CI that runs
what the README says, versions that agree with each other."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import yaml

from tests.helpers import readme_test_commands
from uv_torch_template.catalog import load
from uv_torch_template.checks.project import load_workflow
from uv_torch_template.harness.render import REPO_ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PYPROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
OWN_WORKFLOWS = sorted((REPO_ROOT / ".github" / "workflows").glob("*.yml"))
TEMPLATE_WORKFLOWS = sorted((REPO_ROOT / "template").glob("*.github*/workflows/*"))
USES = re.compile(r"uses:\s*([\w.-]+/[\w.-]+)@(\S+)")


def test_copier_yml_needs_no_trust():
    """Tasks, migrations and Jinja extensions need --trust; the template has none of them."""
    config = yaml.safe_load(re.sub(r"!include \S+", "null", (REPO_ROOT / "copier.yml").read_text()))
    assert not {"_tasks", "_migrations", "_jinja_extensions"} & set(config)


def test_every_help_fits_a_prompt_of_80_columns():
    """Copier prints a question's help on the prompt's first line, after the microphone (two
    columns) and a space, and a terminal of 80 columns cuts what does not fit (it was cut
    mid-word once: the index_url help)."""
    config = yaml.safe_load(re.sub(r"!include \S+", "null", (REPO_ROOT / "copier.yml").read_text()))
    helps = {
        name: question["help"]
        for name, question in config.items()
        if isinstance(question, dict) and "help" in question
    }
    assert len(helps) >= 12, helps
    assert not {name: text for name, text in helps.items() if len(text) + 3 >= 80}


def test_ci_runs_the_readme_test_commands():
    """.ci/run and the template's own CI run exactly the README's test commands, in its order: the
    default tier, then the slow one, so that nothing the default run leaves out goes untested."""
    documented = readme_test_commands((REPO_ROOT / "README.md").read_text())
    assert len(documented) == 2 and documented[1] == f"{documented[0]} -m slow", documented
    ci = (REPO_ROOT / ".ci" / "run").read_text().splitlines()
    assert [line for line in ci if line.startswith("uv run pytest")] == documented
    assert ci[-1] == documented[-1]
    workflow = load_workflow(REPO_ROOT / ".github" / "workflows" / "template.yml")
    steps = workflow["jobs"]["tests"]["steps"]
    assert [step["run"] for step in steps if step.get("run", "").startswith("uv run pytest")] == documented
    addopts = PYPROJECT["tool"]["pytest"]["ini_options"]["addopts"]
    assert addopts[addopts.index("-m") + 1] == "not slow", "the default run leaves the slow tier out"


def test_the_uv_pinned_for_ci_is_the_one_the_suite_declares():
    pinned = re.search(r'"uv==([\d.]+)"', (REPO_ROOT / ".ci" / "run").read_text()).group(1)
    assert f"uv=={pinned}" in PYPROJECT["dependency-groups"]["dev"]


def test_python_version_file_agrees_with_requires_python():
    version = (REPO_ROOT / ".python-version").read_text().strip()
    floor = PYPROJECT["project"]["requires-python"].removeprefix(">=")
    assert tuple(map(int, version.split("."))) >= tuple(map(int, floor.split(".")))


def test_own_workflows_validate_and_pass_zizmor():
    assert OWN_WORKFLOWS
    bin_dir = REPO_ROOT / ".venv" / "bin"
    check = shutil.which("check-jsonschema") or str(bin_dir / "check-jsonschema")
    zizmor = shutil.which("zizmor") or str(bin_dir / "zizmor")
    paths = [str(p) for p in OWN_WORKFLOWS]
    subprocess.run(
        [check, "--builtin-schema", "vendor.github-workflows", *paths], check=True, capture_output=True
    )
    result = subprocess.run([zizmor, "--offline", *paths], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_one_set_of_action_pins_for_the_template_and_its_own_ci():
    """The template's own CI uses the actions its rendered projects use (catalog.yml's `tools`),
    at the same commits, and the rendered workflows take every pin from there."""
    catalog_pins = {}
    for action in load().tools["actions"].values():
        name, ref = action["uses"].split("@")
        assert re.fullmatch(r"[0-9a-f]{40}", ref), f"{name} is not pinned by commit SHA"
        catalog_pins[name] = ref
    own = {}
    for path in OWN_WORKFLOWS:
        for action, ref in USES.findall(path.read_text()):
            own.setdefault(action, set()).add(ref)
    assert own
    for action, refs in own.items():
        assert refs == {catalog_pins[action]}, f"{action} is pinned to {sorted(refs)}, the catalog says"
    for path in TEMPLATE_WORKFLOWS:
        assert not USES.findall(path.read_text()), f"{path.name} pins an action itself"


def test_rendered_projects_pin_the_ruff_this_suite_lints_them_with():
    """pyproject's dev group, pre-commit and CI of every rendered project use catalog.yml's ruff;
    the suite checks rendered code with that same ruff."""
    ruff = load().tools["ruff"]
    assert f"ruff=={ruff}" in PYPROJECT["dependency-groups"]["dev"]
