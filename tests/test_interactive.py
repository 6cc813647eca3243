"""`copier copy` answered by hand, through a pseudo-terminal 80 columns wide.

Choice questions get no validator from Copier when asked interactively: whatever the template
would refuse must be a disabled choice, shown with its reason, or the answers run on into a
traceback (Python 3.10, then torch 2.15, then `single` once did). Every path here ends in a
render or a clean refusal that the prompt shows, advice first, within the terminal's width.

By default a few answer paths run (the ones that crashed, and each kind of refusal); set
UVT_INTERACTIVE_ALL=1 (or run `nox -s interactive`) for every Python x torch x strategy.
"""

from __future__ import annotations

import itertools
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pexpect
import pytest

from uv_torch_template.catalog import load
from uv_torch_template.expectations.matrix import BASE_ANSWERS
from uv_torch_template.harness.render import REPO_ROOT, render

# The slow tier: answers typed through a pseudo-terminal (`uv run pytest -m slow`; .ci/run and CI run it).
pytestmark = pytest.mark.slow

CATALOG = load()
COLUMNS = 80
DOWN = "\x1b[B"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
STRATEGIES = sorted(CATALOG.strategies, key=lambda name: CATALOG.strategies[name].order)

# Each question's help, as much as the prompt shows of it, in the order Copier asks.
PROMPTS = {
    "project_name": "Project name",
    "package_name": "Python package name",
    "description": "One-line description",
    "author_name": "Author name",
    "author_email": "Author email",
    "license": "License",
    "python_version": "Minimum Python version",
    "torch_version": "Minimum torch release",
    "strategy": "How the project chooses",
    "backends": "PyTorch backend",
    "torch_packages": "PyTorch companion packages",
    "lock_platforms": "Platforms the lock must cover",
    "index_url": "Base URL of the PyTorch indexes",
    "ci": "Continuous integration",
}


@dataclass
class Choice:
    value: str
    pointed: bool
    checked: bool | None
    reason: str | None  # why it is disabled, as far as the terminal shows it; None: enabled
    line: str


def asked(question: str) -> str:
    """A question's prompt line (each redrawing of a prompt repeats it)."""
    return "🎤(?:\x1b\\[[0-9;]*m)* " + re.escape(PROMPTS[question])


class Prompts:
    """A `copier copy` in a pseudo-terminal, answered question by question."""

    def __init__(self, destination: Path):
        self.transcript: list[str] = []
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "copier", "copy", "--vcs-ref", "HEAD", str(REPO_ROOT), str(destination)],
            encoding="utf-8",
            dimensions=(60, COLUMNS),
            timeout=60,
            # No cursor-position requests: nothing here answers them, and each would wait for one.
            env={**os.environ, "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"},
        )

    def screen(self, question: str) -> list[str]:
        """Wait for the question, return its first full drawing as plain lines."""
        index = self.child.expect([asked(question), "Traceback", pexpect.EOF])
        if index == 1:
            self.child.expect(pexpect.EOF)
            pytest.fail("a traceback:\n" + self.child.before)
        if index == 2:
            pytest.fail(f"copier ended before asking {question}:\n{ANSI.sub('', self.child.before)}")
        self.child.expect_exact("\x1b[?7h")  # prompt_toolkit ends each drawing by re-enabling autowrap
        text = ANSI.sub("", PROMPTS[question] + self.child.before).replace("\r", "")
        lines = [line for line in text.split("\n") if line.strip()]
        self.transcript.append("\n".join(lines))
        return lines

    def text(self, question: str, value: str | None = None) -> None:
        self.screen(question)
        self.child.send(("\x15" + value if value is not None else "") + "\r")  # ctrl-u clears the default

    def choices(self, question: str) -> list[Choice]:
        found = []
        for line in self.screen(question)[1:]:
            item = line.strip()
            if item.startswith("(Use arrow keys"):
                continue
            pointed = item.startswith("»")
            item = item.lstrip("»").strip()
            checked = None
            if item[:1] in ("●", "○"):
                checked, item = item[0] == "●", item[1:].strip()
            if item.startswith("- "):
                value, _, reason = item[2:].partition(" (")
                found.append(Choice(value, pointed, checked, reason, line))
            else:
                found.append(Choice(item.split(":")[0], pointed, checked, None, line))
        return found

    def select(self, question: str, value: str) -> list[Choice]:
        shown = self.choices(question)
        enabled = [c for c in shown if c.reason is None]
        at = next(i for i, c in enumerate(enabled) if c.pointed)
        to = next(i for i, c in enumerate(enabled) if c.value == value)
        self.child.send(DOWN * ((to - at) % len(enabled)) + "\r")
        return shown

    def tick(self, question: str, values: list[str] | None = None) -> list[Choice]:
        """Tick exactly `values` (None: keep the pre-ticked defaults) and submit."""
        shown = self.choices(question)
        if values is not None:
            enabled = [c for c in shown if c.reason is None]
            at = next(i for i, c in enumerate(enabled) if c.pointed)
            keys = ""
            for step in range(len(enabled)):
                choice = enabled[(at + step) % len(enabled)]
                keys += (" " if choice.checked != (choice.value in values) else "") + DOWN
            self.child.send(keys)
        self.child.send("\r")
        return shown

    def finish(self) -> str:
        self.child.expect(pexpect.EOF)
        self.child.close()
        rest = ANSI.sub("", self.child.before)
        assert "Traceback" not in rest, rest
        assert self.child.exitstatus == 0, rest
        return rest


def answer_the_start(prompts: Prompts, python: str) -> None:
    prompts.text("project_name", "demo-project")
    for question in ("package_name", "description", "author_name", "author_email"):
        prompts.text(question)
    prompts.select("license", "MIT")
    prompts.select("python_version", python)


def assert_fits_with_advice_first(choices: list[Choice]) -> None:
    """A disabled choice shows its advice and reason whole within 80 columns, advice first."""
    for choice in choices:
        if choice.reason is not None:
            assert len(choice.line) < COLUMNS, choice.line
            assert choice.reason.startswith(("choose ", "drop ")), choice.line
            assert choice.line.endswith(")"), f"the message is cut off: {choice.line!r}"


TOOLBAR = re.compile(r"Validation error for question '(\w+)': ([^\r\n\x1b]*)")


def assert_error_shown_whole(prompts: Prompts, question: str, message: str) -> None:
    """The validation toolbar under a prompt is one line: the message must fit it whole."""
    prompts.child.expect(TOOLBAR)
    line = prompts.child.match.group(0)
    assert prompts.child.match.group(1) == question, line
    assert prompts.child.match.group(2).rstrip() == message, f"cut at 80 columns: {line!r}"
    assert len(line.rstrip()) < COLUMNS, line


def walk(tmp_path: Path, python: str, torch: str, strategy: str) -> str:
    """Answer python, torch and strategy, every other question with its default; return the output."""
    destination = tmp_path / "project"
    prompts = Prompts(destination)
    answer_the_start(prompts, python)
    releases = prompts.select("torch_version", torch)
    assert_fits_with_advice_first(releases)
    for release in CATALOG.releases:
        shown = next(c for c in releases if c.value == release.torch)
        # Offered exactly where the catalog has wheels for this Python and the release is supported.
        assert (shown.reason is None) == (python in release.python and not release.retired), shown
        if shown.reason and not release.retired:
            assert shown.reason.startswith(f"choose python_version >= {release.python[0]}"), shown
    prompts.select("strategy", strategy)
    if CATALOG.strategies[strategy].backends:
        assert_fits_with_advice_first(prompts.tick("backends"))
    # Not asked where no companion pairs with this torch or newer: every choice would be disabled,
    # and such a prompt cannot be answered. (The default backends carry every release.)
    if any(release.torchvision or release.torchaudio for release in CATALOG.releases_from(torch)):
        assert_fits_with_advice_first(prompts.tick("torch_packages"))
    prompts.tick("lock_platforms")
    if CATALOG.strategies[strategy].uses_index:
        prompts.text("index_url")
    prompts.select("ci", "github")
    output = prompts.finish()
    assert (destination / "pyproject.toml").is_file()
    answers = (destination / ".copier-answers.yml").read_text()
    assert f"python_version: '{python}'" in answers and f"torch_version: '{torch}'" in answers
    assert f"strategy: {strategy}" in answers
    return output


# By default: Python 3.10, which once crashed with torch 2.15 and single or pypi (2.15 is now
# disabled there), and the newest torch, with which no companion pairs (a question whose every
# choice is disabled crashes questionary, so it is not asked).
SLICE = [("3.10", "2.14", "single"), ("3.11", "2.15", "platform")]
EVERY = [
    (python, release.torch, strategy)
    for python, release, strategy in itertools.product(CATALOG.python_versions, CATALOG.releases, STRATEGIES)
    if python in release.python and not release.retired
]


PATHS = EVERY if os.environ.get("UVT_INTERACTIVE_ALL") else SLICE


@pytest.mark.parametrize("python,torch,strategy", PATHS, ids=["-".join(path) for path in PATHS])
def test_every_answer_path_renders(tmp_path, python, torch, strategy):
    output = walk(tmp_path, python, torch, strategy)
    assert "Next steps for demo-project" in output


def test_single_says_to_untick_cpu_and_the_paired_companions_are_offered(tmp_path):
    """A checkbox cannot disable one choice because of another: `single` says so in its question,
    and with a second backend ticked Enter does not move on; unticking cpu does. Companions with
    a paired release are offered."""
    destination = tmp_path / "project"
    prompts = Prompts(destination)
    answer_the_start(prompts, "3.12")
    prompts.select("torch_version", "2.12")
    prompts.select("strategy", "single")
    shown = prompts.tick("backends", ["cpu", "cu130"])
    assert "untick cpu" in prompts.transcript[-1].splitlines()[0]
    assert [c.value for c in shown if c.checked] == ["cpu"]
    with pytest.raises(pexpect.TIMEOUT):
        prompts.child.expect(asked("torch_packages"), timeout=3)
    prompts.child.send(" \r")  # the pointer is back on cpu: untick it, keep cu130

    # torchaudio 2.11.0 pairs with 2.12-2.14 and 2.11.1 with 2.15 (the evidence store): offered.
    packages = prompts.tick("torch_packages")
    assert [c.reason for c in packages if c.value in ("torchaudio", "torchvision")] == [None, None]
    assert_fits_with_advice_first(packages)
    prompts.tick("lock_platforms")
    prompts.text("index_url")
    prompts.select("ci", "none")
    prompts.finish()
    assert "backends:\n- cu130" in (destination / ".copier-answers.yml").read_text()


def refusal_message(question: str, **answers) -> str:
    """What the template says of these answers under --data, after Copier's own prefix."""
    data = {**BASE_ANSWERS, "strategy": "extras", "backends": ["cpu"], "torch_version": "2.13", **answers}
    with pytest.raises(ValueError) as refused:
        render(data, Path(tempfile.mkdtemp()) / "refused")
    return str(refused.value).split(f"question '{question}': ", 1)[1].strip()


@pytest.mark.parametrize(
    "question,bad,good",
    [
        ("project_name", "torch", "demo-project"),  # the message that was cut: "... is taken by a"
        ("package_name", "json", "demo_project"),
        ("description", "x" * 501, "A model"),
        ("author_email", "not-an-email", "ada@example.org"),
        # The index_url refusals were the longest (the credential advice): now advice alone.
        ("index_url", "https://pypi.fury.io/q1W2e3R4t5Y6u7I8o9P0/acme", "https://download.pytorch.org/whl"),
        ("index_url", "https://user:pw@mirror.example:99999/whl", "https://download.pytorch.org/whl"),
    ],
)
def test_validation_errors_fit_80_columns_whole(tmp_path, question, bad, good):
    message = refusal_message(
        question,
        **{question: bad},
        **({"package_name": "demo_project"} if question == "project_name" else {}),
    )
    prompts = Prompts(tmp_path / "project")
    for earlier in list(PROMPTS)[: list(PROMPTS).index(question)]:
        prompts.text(earlier, "demo-project" if earlier == "project_name" else None)
    prompts.text(question, bad)
    assert_error_shown_whole(prompts, question, message)
    prompts.child.send("\x15" + good + "\r")
    prompts.child.expect(asked(list(PROMPTS)[list(PROMPTS).index(question) + 1]))
    prompts.child.terminate(force=True)
