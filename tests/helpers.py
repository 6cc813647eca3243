"""Small helpers several test files share: a git identity, the README's code blocks."""

from __future__ import annotations

import re

# Commits made by the tests (a rendered project, a tagged template copy) need an identity; CI
# machines have none configured.
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.org",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.org",
}


def code_blocks(markdown: str, heading: str) -> list[str]:
    """The fenced shell blocks of one section (up to the next heading of the same or higher level)."""
    level = heading.split(" ")[0]
    start = markdown.index(f"\n{heading}\n")
    rest = markdown[start + len(heading) + 2 :]
    end = re.search(rf"\n#{{1,{len(level)}}} ", rest)
    section = rest[: end.start()] if end else rest
    return re.findall(r"```(?:sh|bash)\n(.*?)```", section, flags=re.S)


def commands(block: str) -> list[str]:
    """A block's commands: comments dropped, continuation lines joined."""
    joined = block.replace("\\\n", " ")
    lines = [line.split("  #")[0].strip() for line in joined.splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def readme_test_commands(readme: str) -> list[str]:
    """The template README's test commands, in the order CI runs them (default tier, then slow)."""
    (block,) = [block for block in code_blocks(readme, "## Render a project") if "uv run pytest" in block]
    return commands(block)
