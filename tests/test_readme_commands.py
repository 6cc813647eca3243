"""The READMEs' commands, run as written.

The template's README: in a clone without tags (`git clone --no-tags` of a scratch commit of the
working tree: forks, mirrors and archives carry none), the `copier copy` from a clone, answered
at its prompts, the `git init` that follows, then `copier update` and `copier check-update` from
inside the rendered project, which only work when the recorded template path is usable there.

The rendered project, against the stand-in started as the template's README starts it, with the
real CPU wheel from PIP_FIND_LINKS and Python 3.11: README.md's doctor before installing, its
sync and its tests, then docs/pytorch.md's check of the install and what it says uv does with
the synced build.

The only changes made to a command: `uvx copier` runs this environment's Copier (the same
program, without fetching it), and placeholders (`<owner>`, `/path/to/wheels`, a port) are
filled in.
"""

from __future__ import annotations

import io
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest
import yaml

from tests.helpers import GIT_IDENTITY, code_blocks, commands, readme_test_commands
from tests.test_interactive import ANSI, asked
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


def scratch_commit(destination: Path) -> Path:
    """The working tree as it is (tracked and untracked files, nothing git ignores), committed
    in a repository of its own and tagged, as the published repository would be."""
    # `git status` lists untracked files as git add -A would take them (ignored ones left out).
    tracked = sh("git ls-files -z", REPO_ROOT, env=TEMPLATE_ENV).stdout.split("\0")
    status = sh("git status --porcelain -z --untracked-files=all", REPO_ROOT, env=TEMPLATE_ENV).stdout
    untracked = [entry[3:] for entry in status.split("\0") if entry.startswith("?? ")]
    for name in filter(None, tracked + untracked):
        if (REPO_ROOT / name).is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO_ROOT / name, destination / name)
    sh("git init -q -b main && git add -A && git commit -q -m scratch && git tag v0.0.1", destination)
    return destination


def answer_the_prompts(command: str, cwd: Path, project_name: str) -> str:
    """Run an interactive `copier copy`: the project name typed, every other default taken."""
    child = pexpect.spawn(
        "bash",
        ["-c", command.replace("uvx copier ", f"{shlex.quote(sys.executable)} -m copier ")],
        cwd=str(cwd),
        env={**PROJECT_ENV, "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"},
        encoding="utf-8",
        dimensions=(60, 80),
        timeout=120,
    )
    child.logfile_read = transcript = io.StringIO()
    child.expect(asked("project_name"))
    child.expect_exact("\x1b[?7h")  # the prompt is drawn
    child.send(project_name + "\r")
    # Any question drawn from here on gets Enter: its default (a redrawing's extra Enter takes
    # the next question's default, which is the same thing).
    while child.expect(["🎤", pexpect.EOF]) == 0:
        child.expect_exact("\x1b[?7h")
        child.send("\r")
    child.close()
    shown = ANSI.sub("", transcript.getvalue())
    assert child.exitstatus == 0, shown
    return shown


def test_template_readme_renders_from_a_tagless_clone_and_the_project_updates_from_it(tmp_path):
    readme = (REPO_ROOT / "README.md").read_text()
    published_block, clone_block, init_block = code_blocks(readme, "## Render a project")[:3]
    (published_cmd,) = commands(published_block)
    clone_cmd, copy_cmd = commands(clone_block)
    assert published_cmd == "uvx copier copy https://github.com/<owner>/uv-torch-template my-project"
    assert "--vcs-ref" not in clone_cmd + copy_cmd, "a clone may have no tags to name"
    assert '"$PWD/uv-torch-template"' in copy_cmd, "the clone form records an absolute path"
    assert "gh:org/" not in readme

    # The README's `git clone`, of the published repository (a scratch commit of this working
    # tree, tagged), made without its tags.
    published = scratch_commit(tmp_path / "published" / "uv-torch-template")
    url = "https://github.com/<owner>/uv-torch-template"
    sh(clone_cmd.replace(f"git clone {url}", f"git clone -q --no-tags {published}"), tmp_path)
    clone = tmp_path / "uv-torch-template"
    assert not sh("git tag --list", clone).stdout.strip(), "the clone has no tags"

    shown = answer_the_prompts(copy_cmd, tmp_path, "my-project")
    assert "No git tags found in template; using HEAD as ref" in shown
    for command in commands(init_block):
        sh(command, tmp_path)
    project = tmp_path / "my-project"
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    head = sh("git rev-parse HEAD", clone).stdout.strip()
    assert head.startswith(str(answers["_commit"])), (answers["_commit"], head)
    assert answers["_src_path"] == str(clone)
    assert (project / "tools" / "pytorch_doctor.py").is_file()
    # From inside the project, where a relative path would no longer reach the template.
    updated = sh("uvx copier update --defaults", project).stderr
    steps = updated[updated.index("Template updated. Next:") :]
    assert steps.index("git diff") < steps.index("uv lock") < steps.index("uv run --no-sync pytest"), steps
    check = sh("uvx copier check-update --quiet", project, check=False)
    assert check.returncode == 0, check.stdout + check.stderr

    # The README's non-interactive form, from the same tagless clone.
    (example,) = [c for c in commands("\n".join(code_blocks(readme, "## Questions"))) if "copier copy" in c]
    assert "--vcs-ref" not in example and '"$PWD/uv-torch-template"' in example
    sh(example, tmp_path)
    assert (tmp_path / example.split()[-1] / "pyproject.toml").is_file()


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
def standin_from_the_readme():
    """The stand-in, started with the command the template's README gives maintainers (on a free
    port rather than its example's), at the URL it prints."""
    if real_torch_wheel() is None:  # pragma: no cover - the machines this suite runs on carry it
        pytest.skip(f"no torch-{SMOKE_TORCH}+cpu cp311 wheel in PIP_FIND_LINKS")
    readme = (REPO_ROOT / "README.md").read_text()
    start = next(c for c in commands("\n".join(code_blocks(readme, "## For maintainers"))) if ".standin" in c)
    assert "--port 8765" in start, start
    command = start.replace("--port 8765", "--port 0")
    command = command.replace("/path/to/wheels", " ".join(str(w) for w in wheelhouses()))
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
    docs = (project / "docs" / "pytorch.md").read_text()

    # The stand-in lists newer releases as stubs: lock the release the real wheel is for, as the
    # template's README tells maintainers.
    sh(f"uv lock --upgrade-package torch=={SMOKE_TORCH}", project)

    # README.md: the doctor first, before anything is installed; it names the sync to run.
    doctor, sync = code_blocks(readme, "## Install")
    (doctor,) = commands(doctor)
    assert doctor == "uv run tools/pytorch_doctor.py"
    assert "uv sync --extra cpu" in sh(doctor, project).stdout
    assert commands(sync) == ["uv sync --extra cpu"]
    sh(commands(sync)[0], project)
    (test_cmd,) = commands(code_blocks(readme, "## Run the tests")[0])
    assert test_cmd == "uv run --no-sync pytest"

    # docs/pytorch.md, "Keep the build you synced": its example, then each claim about uv, checked.
    keep = commands(code_blocks(docs, "### Keep the build you synced")[0])
    assert f"{SMOKE_TORCH}+cpu" in "".join(sh(command, project).stdout for command in keep)

    # Check the install: the build just synced, never another extra.
    check = commands(code_blocks(docs, "## Check the install")[0])
    assert check == [test_cmd, "uv run --no-sync python tools/pytorch_doctor.py"]
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
