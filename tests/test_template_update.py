"""The rendered `template-update` workflow's script, .github/template_update.py, run as the workflow
runs it, with no network: the template is a scratch copy tagged with releases (as in
tests/test_update.py), the project's `origin` a local bare repository, and `gh` a fake on PATH that
records the pull request it is asked to open.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from tests.helpers import GIT_IDENTITY
from tests.test_update import RUFF_RULES, commit_all, git, rendered, tagged_template_copy
from uv_torch_template.harness.uvrun import uv_environment

SCRIPT = Path(".github") / "template_update.py"
BRANCH = "template-update"
NOTES = {
    "v1.2.0": "The smoke test also prints the torch build's CUDA version.",
    "v1.1.0": "Rendered projects lint pytest style too (ruff's PT rules).",
    "v1.0.0": "The first release.",
}
# What the fake GitHub CLI does: record each call (with the body it was given) and answer
# `gh pr list` with the pull request it opened earlier, as GitHub would.
FAKE_GH = """\
import json, pathlib, sys
log = pathlib.Path(sys.argv[0]).with_name("gh-calls.jsonl")
opened = pathlib.Path(sys.argv[0]).with_name("gh-opened")
args = sys.argv[1:]
body = None
if "--body-file" in args:
    body = pathlib.Path(args[args.index("--body-file") + 1]).read_text()
with log.open("a") as calls:
    calls.write(json.dumps({"args": args, "body": body}) + "\\n")
if args[:2] == ["pr", "list"] and opened.exists():
    print(opened.read_text())
elif args[:2] == ["pr", "create"]:
    opened.write_text("7")
    print("https://github.example/org/project/pull/7")
"""


def changelog() -> str:
    sections = "".join(f"## {tag}\n\n- {note}\n\n" for tag, note in NOTES.items())
    return f"# Changelog\n\n## Unreleased\n\nNothing yet.\n\n{sections}"


@pytest.fixture(scope="module")
def template_repo(tmp_path_factory) -> Path:
    """v1.0.0 (this template), v1.1.0 (a lint rule), v1.2.0 (a smoke-test line, torch 2.6
    retired); CHANGELOG.md carries each release's notes."""
    repo = tagged_template_copy(tmp_path_factory.mktemp("template"))
    pyproject = repo / "template" / "pyproject.toml.jinja"
    pyproject.write_text(
        pyproject.read_text().replace(RUFF_RULES, RUFF_RULES.replace('"RUF"]', '"RUF", "PT"]'))
    )
    (repo / "CHANGELOG.md").write_text(changelog().replace(f"## v1.2.0\n\n- {NOTES['v1.2.0']}\n\n", ""))
    commit_all(repo, "v1.1.0")
    git(repo, "tag", "v1.1.0")
    (smoke,) = (repo / "template" / "tests").glob("test_smoke.py*")
    smoke.write_text(smoke.read_text() + "\n# torch.version.cuda is printed by the doctor.\n")
    catalog = repo / "catalog.yml"
    marker = '  - torch: "2.6"\n'
    catalog.write_text(catalog.read_text().replace(marker, marker + "    retired: no longer built\n", 1))
    (repo / "CHANGELOG.md").write_text(changelog())
    commit_all(repo, "v1.2.0")
    git(repo, "tag", "v1.2.0")
    return repo


def project_with_origin(template_repo: Path, root: Path, ref: str, **answers) -> tuple[Path, Path]:
    """A user's project rendered at `ref`, committed, with a local bare repository as origin."""
    project = rendered(template_repo, root / "project", ref, lock_platforms=["linux-x86_64"], **answers)
    origin = root / "origin.git"
    git(root, "init", "-q", "--bare", "-b", "main", str(origin))
    git(project, "remote", "add", "origin", str(origin))
    git(project, "push", "-q", "origin", "main")
    return project, origin


def run_script(project: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], str, list[dict]]:
    """The script as the workflow runs it; returns its result, the run summary and gh's calls."""
    fake_bin = project.parent / "bin"
    fake_bin.mkdir(exist_ok=True)
    gh = fake_bin / "gh"
    gh.write_text(f"#!{sys.executable}\n{FAKE_GH}")
    gh.chmod(0o755)
    summary = project.parent / "summary.md"
    env = {
        **uv_environment(),
        **GIT_IDENTITY,
        "PATH": f"{fake_bin}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    result = subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    calls_log = fake_bin / "gh-calls.jsonl"
    calls = [json.loads(line) for line in calls_log.read_text().splitlines()] if calls_log.exists() else []
    return result, summary.read_text() if summary.exists() else "", calls


@pytest.mark.lock
@pytest.mark.slow
def test_a_newer_release_becomes_one_pull_request_with_notes_lock_and_diff(template_repo, standin, tmp_path):
    project, origin = project_with_origin(template_repo, tmp_path, "v1.0.0", index_url=standin.url)
    main_before = git(origin, "rev-parse", "main").strip()

    result, summary, calls = run_script(project)
    assert result.returncode == 0, result.stdout + result.stderr

    # The branch and the commit it pushed: the update to the newest release, re-locked.
    pushed = git(origin, "rev-parse", BRANCH).strip()
    assert f"Branch {BRANCH}, commit {pushed}" in result.stdout
    assert (
        git(origin, "log", "-1", "--format=%s", BRANCH).strip()
        == "Update from the template: v1.0.0 to v1.2.0"
    )
    assert (
        git(origin, "rev-parse", f"{BRANCH}~1").strip()
        == main_before
        == git(origin, "rev-parse", "main").strip()
    )
    answers = yaml.safe_load(git(origin, "show", f"{BRANCH}:.copier-answers.yml"))
    assert answers["_commit"] == "v1.2.0"
    assert '"RUF", "PT"]' in git(origin, "show", f"{BRANCH}:pyproject.toml")
    assert "uv.lock" in git(origin, "show", "--name-only", "--format=", BRANCH).split()

    # One pull request from that branch, with the notes of the releases crossed and no others.
    assert [call["args"][:2] for call in calls] == [["pr", "list"], ["pr", "create"]]
    create = calls[1]
    assert create["args"][create["args"].index("--head") + 1] == BRANCH
    assert create["args"][create["args"].index("--base") + 1] == "main"
    body = create["body"]
    assert NOTES["v1.1.0"] in body and NOTES["v1.2.0"] in body and NOTES["v1.0.0"] not in body
    assert "None: the template's changes merged with your edits." in body
    assert "`uv lock` re-locked the project" in body
    assert (
        "pyproject.toml" in body and '+select = ["E", "F", "W", "I", "B", "UP", "SIM", "RUF", "PT"]' in body
    )
    assert " uv.lock " in body and "diff --git a/uv.lock" not in body, "counted in the stat, not shown"
    assert "Opened pull request https://github.example/org/project/pull/7" in summary
    print(body)  # the rendered pull request body, for the record (pytest -s)

    # The next run updates that pull request instead of opening a second one, and leaves the
    # branch alone: it already holds this update on this base.
    result, _, calls = run_script(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert [call["args"][:3] for call in calls[2:]] == [["pr", "list", "--head"], ["pr", "edit", "7"]]
    assert git(origin, "rev-parse", BRANCH).strip() == pushed and "not pushed again" in result.stdout
    # Once main moves on, the branch is rebuilt on it and pushed again.
    (project / "NOTES.md").write_text("Our notes.\n")
    commit_all(project, "our notes")
    git(project, "push", "-q", "origin", "main")
    result, _, _ = run_script(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert git(origin, "rev-parse", f"{BRANCH}~1").strip() == git(origin, "rev-parse", "main").strip()


@pytest.mark.slow
def test_a_conflict_is_named_in_the_pull_request_body(template_repo, tmp_path):
    """The user changed the very line a release changes: the body names the file, and says that
    uv lock could not run on it."""
    project, origin = project_with_origin(
        template_repo, tmp_path, "v1.0.0", index_url="http://127.0.0.1:9/whl"
    )
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(RUFF_RULES, RUFF_RULES.replace('"RUF"]', '"RUF", "N"]'))
    )
    commit_all(project, "our lint rules")

    result, summary, calls = run_script(project, "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "::warning title=template-update::conflicts in pyproject.toml" in result.stdout
    assert "**1 file(s) have conflicts**" in summary and "- `pyproject.toml`" in summary
    assert "**`uv lock` failed**" in summary
    assert calls == [] and BRANCH not in git(origin, "branch", "--list"), "a dry run pushes nothing"
    assert git(project, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main", "back where it started"


@pytest.mark.slow
def test_an_answer_the_release_refuses_fails_the_run_with_copiers_advice(template_repo, tmp_path):
    """A recorded torch 2.6, retired in v1.2.0: nothing to push; the run is red and says what to pick."""
    project, origin = project_with_origin(template_repo, tmp_path, "v1.0.0", torch_version="2.6")
    result, summary, calls = run_script(project)
    assert result.returncode == 1
    assert (
        "::error title=template-update::copier update to v1.2.0 stopped: Validation error for question"
        in (result.stdout)
    )
    assert "choose torch_version 2.7 or newer" in summary and "Traceback" not in summary
    assert calls == [] and BRANCH not in git(origin, "branch", "--list")
    assert git(project, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"


def test_a_project_rendered_from_a_local_path_gets_a_notice_with_the_fix(template_repo, tmp_path):
    project, origin = project_with_origin(template_repo, tmp_path, "v1.0.0")
    answers_file = project / ".copier-answers.yml"
    answers = yaml.safe_load(answers_file.read_text())
    answers_file.write_text(
        answers_file.read_text().replace(answers["_src_path"], "/home/someone/clones/uv-torch-template")
    )
    commit_all(project, "rendered on a laptop")

    result, summary, calls = run_script(project)
    assert result.returncode == 0, "a notice, not a red run"
    assert result.stdout.startswith("::notice title=template-update::")
    assert "set `_src_path` to the template's URL" in summary
    assert "/home/someone/clones/uv-torch-template" in summary
    assert calls == [] and BRANCH not in git(origin, "branch", "--list")


@pytest.fixture(scope="module")
def current_project(template_repo, tmp_path_factory) -> Path:
    project, _ = project_with_origin(template_repo, tmp_path_factory.mktemp("current"), "v1.2.0")
    return project


def test_a_project_on_the_newest_release_is_left_alone(current_project):
    project = current_project
    result, summary, calls = run_script(project)
    assert result.returncode == 0
    assert "This project is on the newest template release, v1.2.0." in summary
    assert calls == [] and git(project, "status", "--porcelain") == ""


def test_the_workflow_runs_the_script_with_least_privilege_and_pinned_actions(current_project):
    """Only the update job may write, and only contents and pull requests; Copier runs without
    --trust. (Schema and zizmor: tests/test_rendered_project.py checks every rendered workflow.)"""
    project = current_project
    text = (project / ".github" / "workflows" / "template-update.yml").read_text()
    workflow = yaml.safe_load(text)
    assert workflow["permissions"] == {}
    (job,) = workflow["jobs"].values()
    assert job["permissions"] == {"contents": "write", "pull-requests": "write"}
    assert all(
        "@" in step["uses"] and len(step["uses"].split("@")[1]) == 40
        for step in job["steps"]
        if "uses" in step
    )
    assert "python .github/template_update.py" in job["steps"][-1]["run"]
    script = (project / SCRIPT).read_text()
    assert "--trust" not in text and '"copier", "update", "--defaults", "--vcs-ref", target)' in script
    assert textwrap.dedent(job["steps"][-1]["run"]).startswith("gh auth setup-git")


def test_gitlab_projects_get_renovates_copier_manager_and_a_notice_for_a_local_path(template_repo, tmp_path):
    project = rendered(template_repo, tmp_path / "p", "v1.2.0", ci="gitlab")
    renovate = json.loads((project / "renovate.json").read_text())
    assert renovate["copier"]["enabled"] is True
    (rule,) = [rule for rule in renovate["packageRules"] if rule.get("matchManagers") == ["copier"]]
    assert rule["groupName"] == "template update"
    # The scheduled job's first step, run as GitLab runs it, in a project whose _src_path is gone.
    job = yaml.safe_load((project / ".gitlab-ci.yml").read_text())["template-update"]
    answers_file = project / ".copier-answers.yml"
    source = yaml.safe_load(answers_file.read_text())["_src_path"]
    answers_file.write_text(answers_file.read_text().replace(source, "/home/someone/uv-torch-template"))
    step = subprocess.run(
        ["bash", "-c", f"{job['script'][0]}\necho after"], cwd=project, capture_output=True, text=True
    )
    assert step.returncode == 0 and "set _src_path to the template's URL" in step.stdout
    assert "after" not in step.stdout, "the job ends there, green"


@pytest.mark.slow
def test_a_push_github_refuses_for_a_workflow_change_says_which_token_to_add(template_repo, tmp_path):
    """GitHub refuses a workflow change pushed with the workflow's own token; the bare remote's
    pre-receive hook answers as GitHub does, and the run says what to set up."""
    project, origin = project_with_origin(template_repo, tmp_path, "v1.0.0")
    hook = origin / "hooks" / "pre-receive"
    hook.write_text(
        "#!/bin/sh\necho 'refusing to allow a GitHub App to create or update workflow "
        "`.github/workflows/ci.yml` without `workflows` permission' >&2\nexit 1\n"
    )
    hook.chmod(0o755)
    result, summary, calls = run_script(project)
    assert result.returncode == 1
    assert "::error title=template-update::GitHub refused the push" in result.stdout
    assert "TEMPLATE_UPDATE_TOKEN" in summary and "Workflows: read and write" in summary
    assert calls == [] and git(project, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"
