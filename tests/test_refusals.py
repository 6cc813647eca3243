"""Every answer the template cannot honour is refused before anything is written.

The refusal names the question and says what to choose instead; the destination, new or
already holding the user's files, is left exactly as it was.

Each refusal is checked through copier.yml's own questions, validators and choices with plain
Jinja (uv_torch_template.harness.questions, about 0.1 s a case); one refusal of each kind (a
validator, a disabled choice, a value outside the choices, a check across questions) also goes
through a whole Copier run, which must refuse with the same words and write nothing.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from uv_torch_template.expectations.matrix import BASE_ANSWERS
from uv_torch_template.harness.questions import answer, refusal
from uv_torch_template.harness.render import REPO_ROOT, render

VALID = {**BASE_ANSWERS, "strategy": "extras", "backends": ["cpu", "cu130"], "torch_version": "2.13"}

# (answers changed, the question the message must name, words that say what to do instead)
REFUSALS = {
    "no-backends": ({"backends": []}, "backends", "pick at least one"),
    "package-not-identifier": ({"package_name": "my-model"}, "package_name", "use a Python identifier"),
    "package-starts-with-digit": ({"package_name": "2fast"}, "package_name", "use a Python identifier"),
    "package-is-keyword": ({"package_name": "lambda"}, "package_name", "Python keyword"),
    "package-shadows-torch": ({"package_name": "torch"}, "package_name", "shadow"),
    "empty-project-name": ({"project_name": ""}, "project_name", "give the project a name"),
    "project-name-invalid": ({"project_name": "my model!"}, "project_name", "use letters, digits"),
    "retired-backend": (
        {"backends": ["cu128"], "torch_version": "2.13"},
        "backends",
        "choose cu132 or torch_version <= 2.11: cu128 ends at 2.11",
    ),
    "retired-rocm": (
        {"backends": ["cpu", "rocm6.4"], "torch_version": "2.12"},
        "backends",
        "choose rocm7.2 or torch_version <= 2.9: rocm6.4 ends at 2.9",
    ),
    # torchaudio pairs with every release now (2.11.0 with 2.12-2.14, 2.11.1 with 2.15: the
    # evidence store), so no answer set is refused for it; tests/test_evidence.py renders one.
    "platform-two-accelerators": (
        {"strategy": "platform", "backends": ["cu130", "rocm7.2"]},
        "backends",
        "choose strategy 'extras'",
    ),
    "single-two-backends": ({"strategy": "single", "backends": ["cpu", "cu130"]}, "backends", "keep one"),
    "backend-without-wheels-on-platforms": (
        {"backends": ["rocm7.2"], "lock_platforms": ["macos-arm64", "windows-x86_64"]},
        "lock_platforms",
        "add linux-x86_64 to lock_platforms, or drop rocm7.2",
    ),
    "xpu-on-mac-only": (
        {"backends": ["cpu", "xpu"], "lock_platforms": ["macos-arm64"]},
        "lock_platforms",
        "drop xpu",
    ),
    "no-lock-platforms": ({"lock_platforms": []}, "lock_platforms", "pick at least one"),
    "index-url-not-http": ({"index_url": "ftp://mirror.example/whl"}, "index_url", "give an https://"),
    "index-url-not-url": ({"index_url": "download.pytorch.org/whl"}, "index_url", "give an https://"),
    "python-too-old": ({"python_version": "3.9"}, "python_version", "is not in"),
    "python-too-new": ({"python_version": "3.15"}, "python_version", "is not in"),
    "python-too-old-for-torch": (
        {"python_version": "3.10", "torch_version": "2.15"},
        "torch_version",
        "choose python_version >= 3.11 or torch_version <= 2.14",
    ),
    "unknown-backend": ({"backends": ["cu999"]}, "backends", "is not in"),
    "unknown-strategy": ({"strategy": "conda"}, "strategy", "is not in"),
    "bad-email": ({"author_email": "not-an-email"}, "author_email", "give name@example.org"),
    "package-ignored-by-git": ({"package_name": "dist"}, "package_name", "choose another: git ignores it"),
    "package-is-a-test-module": (
        {"package_name": "test_smoke"},
        "package_name",
        "choose another: a test module",
    ),
    "package-is-frozen": ({"package_name": "__phello__"}, "package_name", "shadows a module"),
    "text-not-utf8": ({"description": "caf\udce9"}, "description", "retype it as UTF-8 text"),
}


# One refusal of each kind, through a whole Copier run as well.
THROUGH_COPIER = [
    "package-is-keyword",  # a validator
    "retired-backend",  # a disabled choice, with the validator's advice
    "python-too-old",  # a value outside the choices: Copier's own words
    "backend-without-wheels-on-platforms",  # a validator that reads an earlier answer
]


@pytest.mark.parametrize("change,question,advice", REFUSALS.values(), ids=REFUSALS.keys())
def test_refused_with_a_message_that_names_the_question(change, question, advice):
    refused = refusal({**VALID, **change})
    assert refused is not None, "accepted"
    assert refused.question == question, str(refused)
    assert f"'{question}'" in str(refused)
    assert advice in str(refused)


@pytest.mark.parametrize("name", THROUGH_COPIER)
def test_copier_refuses_as_the_questions_do_and_writes_nothing(tmp_path, name):
    data = {**VALID, **REFUSALS[name][0]}
    destination = tmp_path / "project"
    with pytest.raises(ValueError) as refused:
        render(data, destination)
    assert str(refused.value) == str(refusal(data))
    assert not destination.exists(), "a refused answer set must write nothing"


def test_valid_answers_render(tmp_path):
    """The baseline the refusals change one answer of is itself accepted, through the questions
    and through Copier, which computes the same plan."""
    assert refusal(VALID) is None
    destination = render(VALID, tmp_path / "project")
    assert (destination / "pyproject.toml").is_file()
    recorded = yaml.safe_load((destination / ".copier-answers.yml").read_text())
    computed = answer(VALID)
    assert {name: computed[name] for name in recorded if not name.startswith("_")} == {
        name: value for name, value in recorded.items() if not name.startswith("_")
    }


def test_refusal_leaves_an_existing_project_untouched(tmp_path):
    destination = tmp_path / "project"
    destination.mkdir()
    (destination / "notes.md").write_text("my own notes\n")
    (destination / "pyproject.toml").write_text("# mine\n")
    before = {p.name: p.read_bytes() for p in destination.iterdir()}
    with pytest.raises(ValueError):
        render({**VALID, "backends": ["cu128"]}, destination)
    assert {p.name: p.read_bytes() for p in destination.iterdir()} == before


def test_command_line_refusal_exits_non_zero_with_the_reason_last(tmp_path):
    """What a user sees: copier's exit status 1 and the validator's message as the last line."""
    destination = tmp_path / "project"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "copier",
            "copy",
            "--defaults",
            "--data",
            "project_name=demo",
            "--data",
            "torch_version=2.13",
            "--data",
            'backends=["cu128"]',
            str(REPO_ROOT),
            str(destination),
        ],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert result.returncode == 1
    last_line = result.stderr.strip().splitlines()[-1]
    assert "'backends'" in last_line and "cu128 ends at 2.11" in last_line
    assert not destination.exists()


def copier_copy(destination, *data: bytes | str, data_file=None) -> subprocess.CompletedProcess:
    """`copier copy --defaults` as a user runs it, with raw bytes allowed on the command line."""
    arguments = [sys.executable, "-m", "copier", "copy", "--defaults", "--vcs-ref", "HEAD"]
    for item in data:
        arguments += ["--data", item]
    if data_file is not None:
        arguments += ["--data-file", str(data_file)]
    return subprocess.run(
        [*arguments, str(REPO_ROOT), str(destination)],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def test_latin1_bytes_on_the_command_line_are_refused_by_name_into_an_existing_folder(tmp_path):
    """A Latin-1 terminal sends b'caf\\xe9'; Python hands it on as a lone surrogate, which once
    crashed the render halfway through a user's folder."""
    destination = tmp_path / "project"
    destination.mkdir()
    (destination / "notes.md").write_text("my own notes\n")
    result = copier_copy(destination, "project_name=demo", b"description=caf\xe9 cr\xe8me")
    assert result.returncode == 1
    last_line = result.stderr.decode(errors="replace").strip().splitlines()[-1]
    assert "'description'" in last_line and "retype it as UTF-8 text" in last_line
    assert [path.name for path in destination.iterdir()] == ["notes.md"]


def test_a_lone_surrogate_in_a_data_file_is_refused_by_name(tmp_path):
    destination = tmp_path / "project"
    destination.mkdir()
    answers = tmp_path / "answers.yml"
    answers.write_text('project_name: demo\nauthor_name: "Ren\\udce9"\n')
    result = copier_copy(destination, data_file=answers)
    assert result.returncode == 1
    last_line = result.stderr.decode(errors="replace").strip().splitlines()[-1]
    assert "'author_name'" in last_line and "retype it as UTF-8 text" in last_line
    assert not list(destination.iterdir())


def test_a_refused_secret_appears_nowhere_in_what_copier_prints(tmp_path):
    secret = "q1W2e3R4t5Y6u7I8o9P0"
    result = copier_copy(
        tmp_path / "project", "project_name=demo", f"index_url=https://pypi.fury.io/{secret}/acme"
    )
    assert result.returncode == 1
    output = (result.stdout + result.stderr).decode()
    assert "'index_url'" in output and secret not in output


def test_the_printed_cd_line_is_safe_to_paste_for_any_folder_name(tmp_path):
    """The next-steps message is pasted into a shell: a folder named with spaces and `$(...)`
    must be entered, not split or run."""
    destination = tmp_path / "my project $(touch pwned) 'quoted'"
    result = copier_copy(destination, "project_name=demo")
    assert result.returncode == 0, result.stderr.decode()
    (cd_line,) = [
        line.strip() for line in result.stderr.decode().splitlines() if line.strip().startswith("cd ")
    ]
    entered = subprocess.run(
        ["bash", "-c", f"{cd_line} && pwd -P"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert entered.stdout.strip() == str(destination.resolve()), entered.stderr
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize(
    "given,question",
    [
        ("backends=cpu", "backends"),
        ("backends=null", "backends"),
        ("lock_platforms=linux-x86_64", "lock_platforms"),
    ],
)
def test_a_list_answer_that_is_not_a_list_is_refused_by_name(tmp_path, given, question):
    destination = tmp_path / "project"
    result = copier_copy(destination, "project_name=demo", given)
    assert result.returncode == 1
    last_line = result.stderr.decode().strip().splitlines()[-1]
    assert f"give '{question}' as a list, such as --data {question}=[" in last_line
    assert not destination.exists()


def test_a_null_list_in_a_data_file_is_refused_by_name(tmp_path):
    answers = tmp_path / "answers.yml"
    answers.write_text("project_name: demo\ntorch_packages: null\n")
    result = copier_copy(tmp_path / "project", data_file=answers)
    assert result.returncode == 1
    assert "give 'torch_packages' as a list" in result.stderr.decode().strip().splitlines()[-1]
    assert not (tmp_path / "project").exists()


def test_the_questions_harness_compiles_as_copier_does(tmp_path):
    """The refusals above go through harness/questions.py's Jinja environment: it must be the one
    Copier builds from copier.yml (`_envops`, extensions), or a setting there could change what
    Copier says while these tests keep reading the old words."""
    from copier._main import Worker

    from uv_torch_template.harness.questions import environment

    with Worker(src_path=str(REPO_ROOT), dst_path=tmp_path, vcs_ref="HEAD", defaults=True) as worker:
        copiers = worker.jinja_env
    ours = environment()
    settings = ("optimized", "keep_trailing_newline", "trim_blocks", "lstrip_blocks", "autoescape")
    settings += ("block_start_string", "variable_start_string", "comment_start_string", "newline_sequence")
    assert {s: getattr(ours, s) for s in settings} == {s: getattr(copiers, s) for s in settings}
    assert sorted(ours.extensions) == sorted(copiers.extensions)
    assert ours.undefined is copiers.undefined
