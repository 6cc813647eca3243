"""Plain-Python helpers of the rendered project, loaded from the template itself so that the
repository's checks run the code users get, not a copy of it."""

from __future__ import annotations

import ast
from functools import cache

from uv_torch_template.catalog import REPO_ROOT

SMOKE_TEST = REPO_ROOT / "template" / "tests" / "test_smoke.py.jinja"


@cache
def _function(name: str):
    """A top-level function of the smoke-test template (written without Jinja, so it parses)."""
    source = SMOKE_TEST.read_text(encoding="utf-8")
    start = source.index(f"def {name}(")
    end = source.index("\n\n\n", start)
    namespace: dict = {}
    exec(compile(ast.parse(source[start:end]), str(SMOKE_TEST), "exec"), namespace)
    return namespace[name]


def hip_matches(hip: str, label: str) -> bool:
    return _function("hip_matches")(hip, label)
