"""Both READMEs' commands, run as written.

The template's README: in a fresh clone of this repository, the `copier copy` from a clone (with
its `--vcs-ref` tag, created here: tags may not travel with a copy of the repository), the
`git init` that follows, then `copier update` and `copier check-update` from inside the rendered
project, which only work when the recorded template path is usable there.

The rendered README: in a project rendered for Python 3.11 against the stand-in the README tells
how to start, with the real CPU wheel from PIP_FIND_LINKS: the doctor before installing, the
offline lock and sync, the check of the install, and what it says uv does with the synced build.

The only changes made to a command: `uvx copier` runs this environment's Copier (the same
program, without fetching it), and placeholders (`<owner>`, `/path/to/wheels`) are filled in.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import GIT_IDENTITY, code_blocks, commands, readme_test_commands
from uv_torch_template.expectations.matrix import BASE_ANSWERS
from uv_torch_template.harness.render import REPO_ROOT, render
from uv_torch_template.harness.uvrun import uv_environment
from uv_torch_template.tasks.smoke import SMOKE_TORCH, real_torch_wheel, wheelhouses

# The template repository's own commands resolve as a user's would; a rendered project's lock
# is pinned in time like every other lock in the suite (the stand-in's uploads fall before it).
TEMPLATE_ENV = {**uv_environment(exclude_newer=None), **GIT_IDENTITY}
PROJECT_ENV = {**uv_environment(), **GIT_IDENTITY}

# The slow tier: fresh clones and a real install (`uv run pytest -m slow`; .ci/run and CI run it).
pytestmark = pytest.mark.slow


def sh(
    command: str, cwd: Path, check: bool = True, env: dict[str, str] = PROJECT_ENV
) -> subprocess.CompletedProcess:
    command = command.replace("uvx copier ", f"{shlex.quote(sys.executable)} -m copier ")
    result = subprocess.run(
        ["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=900
    )
    if check:
        assert result.returncode == 0, f"$ {command}\n{result.stdout}\n{result.stderr}"
    return result


# ---------------------------------------------------------------------------------------------
# The template's README


def test_template_readme_renders_from_a_clone_and_the_project_updates_from_it(tmp_path):
    readme = (REPO_ROOT / "README.md").read_text()
    clone_block, init_block = code_blocks(readme, "## Render a project")[1:3]
    clone_cmd, copy_cmd = commands(clone_block)
    tag = re.search(r"--vcs-ref (v\S+)", copy_cmd).group(1)
    assert '"$PWD/uv-torch-template"' in copy_cmd, "the clone form records an absolute path"
    assert "gh:org/" not in readme

    # A fresh clone, as the README's `git clone` makes it (from a copy of this repository under
    # the published name), tagged with the release it names.
    published = tmp_path / "published" / "uv-torch-template"
    sh(f"git clone -q {REPO_ROOT} {published}", tmp_path)
    sh(clone_cmd.replace("https://github.com/<owner>/uv-torch-template", str(published)), tmp_path)
    clone = tmp_path / "uv-torch-template"
    if not sh(f"git tag --list {tag}", clone).stdout.strip():
        sh(f"git tag {tag}", clone)

    # The README's non-interactive form of the same command (the clone form asks the questions).
    (example,) = [c for c in commands("\n".join(code_blocks(readme, "## Questions"))) if "copier copy" in c]
    assert f"--vcs-ref {tag}" in example and '"$PWD/uv-torch-template"' in example
    sh(example, tmp_path)
    project_dir = example.split()[-1]
    for command in commands(init_block):
        sh(command.replace("cd my-project", f"cd {project_dir}"), tmp_path)
    project = tmp_path / project_dir

    answers = (project / ".copier-answers.yml").read_text()
    assert f"_commit: {tag}" in answers
    assert f"_src_path: {clone}" in answers, answers
    # From inside the project, where a relative path would no longer reach the template.
    sh("uvx copier update --defaults", project)
    check = sh("uvx copier check-update --quiet", project, check=False)
    assert check.returncode == 0, check.stdout + check.stderr


def test_template_readme_test_commands_run_in_a_fresh_clone(tmp_path):
    """The README's two test commands in a fresh clone: uv builds the environment from uv.lock and
    each tier collects, the slow one only what the default one leaves out (running them here
    would run the suite inside itself)."""
    default, slow = readme_test_commands((REPO_ROOT / "README.md").read_text())
    assert (default, slow) == ("uv run pytest -n 4", "uv run pytest -n 4 -m slow")
    sh(f"git clone -q {REPO_ROOT} clone", tmp_path)
    collected = {}
    for tier, command in (("default", default), ("slow", slow)):
        result = sh(f"{command} --collect-only -q -n0", tmp_path / "clone", env=TEMPLATE_ENV)
        found = re.search(r"(\d+)/(\d+) tests collected \((\d+) deselected\)", result.stdout)
        assert found, result.stdout
        collected[tier] = [int(n) for n in found.groups()]
    # Each tier is a part of the same suite, the two together are all of it, and neither is empty.
    assert collected["default"][1] == collected["slow"][1]
    assert collected["default"][0] + collected["slow"][0] == collected["default"][1]
    assert collected["default"][0] > 0 and collected["slow"][0] > 0


# ---------------------------------------------------------------------------------------------
# The rendered README


@pytest.fixture
def standin_from_the_readme(tmp_path):
    """The stand-in, started with the command the rendered README gives, at the URL it prints."""
    if real_torch_wheel() is None:  # pragma: no cover - the machines this suite runs on carry it
        pytest.skip(f"no torch-{SMOKE_TORCH}+cpu cp311 wheel in PIP_FIND_LINKS")
    probe = render({**BASE_ANSWERS, "backends": ["cpu"]}, tmp_path / "probe")
    (start,) = commands(
        code_blocks((probe / "README.md").read_text(), "## Offline, mirrors and credentials")[0]
    )
    command = start.replace("/path/to/wheels", " ".join(str(w) for w in wheelhouses()))
    server = subprocess.Popen(
        ["bash", "-c", f"exec {command}"], cwd=REPO_ROOT, env=TEMPLATE_ENV, stdout=subprocess.PIPE, text=True
    )
    try:
        url = server.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/whl", url), url
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.install
def test_rendered_readme_commands_install_and_check_the_chosen_build(standin_from_the_readme, tmp_path):
    answers = {
        **BASE_ANSWERS,
        "python_version": "3.11",
        "strategy": "extras",
        "backends": ["cpu"],
        "torch_version": SMOKE_TORCH.rsplit(".", 1)[0],
        "lock_platforms": ["linux-x86_64"],
        "index_url": standin_from_the_readme,
    }
    project = render(answers, tmp_path / "project")
    readme = (project / "README.md").read_text()

    # The doctor first, before anything is installed: it names the sync to run.
    (doctor,) = commands(code_blocks(readme, "## Install")[0])
    assert "uv sync --extra cpu" in sh(doctor, project).stdout

    # Offline: lock only the release the real wheel has, then sync it.
    offline = commands(code_blocks(readme, "## Offline, mirrors and credentials")[1])
    assert offline == [f"uv lock --upgrade-package torch=={SMOKE_TORCH}", "uv sync --extra cpu"]
    for command in offline:
        sh(command, project)

    # "Keep the build you synced": its example, then each claim about uv, checked.
    keep = commands(code_blocks(readme, "### Keep the build you synced")[0])
    assert f"{SMOKE_TORCH}+cpu" in "".join(sh(command, project).stdout for command in keep)

    # Check the install: the build just synced, never another extra.
    check = commands(code_blocks(readme, "## Check the install")[0])
    assert check == ["uv run --no-sync pytest", "uv run --no-sync demo-project-doctor"]
    checked = sh(check[0] + " -rs", project)
    tests = checked.stdout
    assert " passed" in tests and " failed" not in tests
    # Of the smoke test only the GPU check may skip here: the build check and the computation ran
    # against the real wheel, and importing it printed no warning (numpy comes with torch).
    skips = [line for line in tests.splitlines() if line.startswith("SKIPPED") and "test_smoke" in line]
    assert all("GPU" in line for line in skips), skips
    assert "Failed to initialize NumPy" not in checked.stdout + checked.stderr
    doctor = sh(check[1], project).stdout
    assert f"{SMOKE_TORCH}+cpu" in doctor and "is not the build" not in doctor, doctor

    import_torch = "python -c 'import torch; print(torch.__version__)'"
    assert f"{SMOKE_TORCH}+cpu" in sh(f"uv run {import_torch}", project).stdout, "uv run keeps the build"
    sh("uv sync", project)
    gone = sh(f"uv run --no-sync {import_torch}", project, check=False)
    assert gone.returncode != 0 and "No module named 'torch'" in gone.stderr, (
        "uv sync without --extra removes torch"
    )
