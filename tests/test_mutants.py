"""The mutation catalogue (tests/mutants.yml) applies to this tree, and its runner tells a caught
defect from a surviving one. `nox -s mutants` runs the catalogue itself; it takes minutes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from uv_torch_template.harness.render import REPO_ROOT
from uv_torch_template.tasks.mutants import CatalogueError, load_catalogue, run_mutant, table


def test_every_entry_applies_to_this_tree():
    """Each text is in its file exactly once and each test file exists (else the session stops
    before it starts, naming the entries): a change that moves a guarded text updates its entry."""
    catalogue = load_catalogue(REPO_ROOT)
    assert len(catalogue) >= 40
    assert all(m.promise and m.tests for m in catalogue)


def _repo(tmp_path: Path, entries: list[dict]) -> Path:
    (tmp_path / "tests").mkdir()
    (tmp_path / "arithmetic.py").write_text("def add(a, b):\n    # the sum\n    return a + b\n")
    (tmp_path / "tests" / "test_arithmetic.py").write_text(
        "from arithmetic import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"
    )
    (tmp_path / "tests" / "mutants.yml").write_text(yaml.safe_dump(entries))
    (tmp_path / "pytest.ini").write_text("[pytest]\npythonpath = .\n")
    return tmp_path


def _entry(id: str, find: str, replace: str, file: str = "arithmetic.py") -> dict:
    return {"id": id, "promise": "add adds", "file": file, "find": find, "replace": replace,
            "tests": ["tests/test_arithmetic.py::test_add"]}  # fmt: skip


@pytest.mark.parametrize(
    ("find", "problem"),
    [("return a * b", "not found"), (" b", "found 2 times")],
)
def test_a_text_not_found_once_is_an_error(tmp_path, find, problem):
    repo = _repo(tmp_path, [_entry("rotten", find, "x")])
    with pytest.raises(CatalogueError, match=problem):
        load_catalogue(repo)


def test_a_missing_file_or_test_is_an_error(tmp_path):
    entry = _entry("gone", "x", "y", file="gone.py") | {"tests": ["tests/test_gone.py::test_x"]}
    with pytest.raises(CatalogueError, match=r"gone\.py does not exist"):
        load_catalogue(_repo(tmp_path, [entry]))


@pytest.mark.slow  # two pytest runs in a scratch repository
def test_a_caught_defect_is_killed_and_an_unnoticed_one_survives(tmp_path):
    repo = _repo(tmp_path, [_entry("minus", "a + b", "a - b"), _entry("comment", "# the sum", "# a sum")])
    killed, survived = (run_mutant(repo, mutant) for mutant in load_catalogue(repo))
    assert (killed.status, killed.caught_by) == ("killed", "tests/test_arithmetic.py::test_add")
    assert survived.status == "survived"
    assert "a + b" in (repo / "arithmetic.py").read_text(), "the file is restored"
    assert "| minus | yes | tests/test_arithmetic.py::test_add |" in table([killed, survived])
    assert "| comment | **no** |" in table([killed, survived])
