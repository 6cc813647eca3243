"""`nox -s fleet`: three projects rendered at two template releases, read back from their clones.

The template is a scratch copy with release tags (as in tests/test_update.py): v1.0.0 is this
template, v1.1.0 retires torch 2.6, v1.2.0 adds a lint rule. One project is on v1.0.0 with torch
2.6 locked from cu124, whose only release 2.6 is (two releases behind, on a retired release), two
are on v1.1.0 (one behind).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.test_update import RUFF_RULES, commit_all, git, rendered, tagged_template_copy
from uv_torch_template.harness.uvrun import run_uv
from uv_torch_template.tasks import fleet


@pytest.fixture(scope="module")
def template_repo(tmp_path_factory):
    repo = tagged_template_copy(tmp_path_factory.mktemp("template"))
    catalog = repo / "catalog.yml"
    marker = '  - torch: "2.6"\n'
    catalog.write_text(catalog.read_text().replace(marker, marker + "    retired: no longer built\n", 1))
    commit_all(repo, "v1.1.0: retire torch 2.6")
    git(repo, "tag", "v1.1.0")
    pyproject = repo / "template" / "pyproject.toml.jinja"
    pyproject.write_text(
        pyproject.read_text().replace(RUFF_RULES, RUFF_RULES.replace('"RUF"]', '"RUF", "PT"]'))
    )
    commit_all(repo, "v1.2.0: lint pytest style too")
    git(repo, "tag", "v1.2.0")
    return repo


@pytest.fixture(scope="module")
def fleet_folder(template_repo, tmp_path_factory):
    """speech and ranking (v1.1.0), as clones in one folder; the slow test adds vision."""
    folder = tmp_path_factory.mktemp("clones")
    rendered(template_repo, folder / "speech", "v1.1.0", backends=["cpu", "cu130"])
    rendered(template_repo, folder / "ranking", "v1.1.0", strategy="pypi", backends=[])
    return folder


@pytest.mark.lock
@pytest.mark.slow
def test_the_fleet_view_reports_each_projects_release_strategy_backends_and_facts(
    template_repo, fleet_folder, standin, capsys
):
    # vision: v1.0.0, torch 2.6 from cu124 (whose only release it is), locked.
    vision = rendered(
        template_repo,
        fleet_folder / "vision",
        "v1.0.0",
        torch_version="2.6",
        backends=["cu124"],
        lock_platforms=["linux-x86_64"],
        index_url=standin.url,
    )
    run_uv(vision, "lock").check()
    commit_all(vision, "lock")
    status = fleet.main([str(fleet_folder)])
    out = capsys.readouterr().out
    print(out)  # the session's output, for the record (pytest -s)
    rows = {line.split()[0]: line for line in out.splitlines()[1:4]}
    assert sorted(rows) == ["ranking", "speech", "vision"]
    assert rows["vision"].split()[1:3] == ["v1.0.0", "2"] and "extras    cu124" in rows["vision"]
    assert "torch_version 2.6 is retired in v1.2.0 (no longer built)" in rows["vision"]
    assert "uv.lock still locks torch 2.6, retired in v1.2.0" in rows["vision"]
    assert "backend cu124 has no supported torch release in v1.2.0" in rows["vision"]
    assert rows["speech"].split()[1:3] == ["v1.1.0", "1"] and "cpu, cu130" in rows["speech"]
    assert rows["ranking"].split()[1:3] == ["v1.1.0", "1"] and " pypi " in rows["ranking"]
    assert rows["speech"].rstrip().endswith("-") and rows["ranking"].rstrip().endswith("-")
    assert "1 more than 1 release behind or unreadable: vision" in out
    assert status == 1, "vision is two releases behind"


def test_one_release_behind_passes_and_a_list_of_clones_is_read(fleet_folder, tmp_path, capsys):
    status = fleet.main([str(fleet_folder / "speech"), str(fleet_folder / "ranking")])
    out = capsys.readouterr().out
    assert "3 projects" not in out and "2 projects; 2 behind the newest release; none more than 1" in out
    assert status == 0
    listing = tmp_path / "clones.txt"
    listing.write_text(f"# our fleet\n{fleet_folder / 'speech'}\n\n{fleet_folder / 'ranking'}  # search\n")
    assert fleet.main([str(listing)]) == 0
    assert "2 projects; 2 behind" in capsys.readouterr().out


def test_a_clone_of_a_local_path_template_is_unreadable_until_given_the_template(
    template_repo, fleet_folder, tmp_path, capsys
):
    clone = tmp_path / "laptop"
    git(tmp_path, "clone", "-q", str(fleet_folder / "speech"), str(clone))
    answers = clone / ".copier-answers.yml"
    source = next(line for line in answers.read_text().splitlines() if line.startswith("_src_path:"))
    answers.write_text(answers.read_text().replace(source, "_src_path: /home/someone/uv-torch-template"))
    assert fleet.main([str(clone)]) == 1
    out = capsys.readouterr().out
    assert "UNREADABLE" in out and "set `_src_path` to the template's URL" in out
    # --template reads the releases from where the organisation keeps the template instead.
    assert fleet.main([str(clone), "--template", str(template_repo)]) == 0
    assert "v1.1.0    1 (newest v1.2.0)" in capsys.readouterr().out


def test_the_nox_session_runs_the_module():
    result = subprocess.run(
        [sys.executable, "-m", "uv_torch_template.tasks.fleet", "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0 and "folders holding them" in result.stdout
