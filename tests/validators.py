"""The validators of copier.yml (includes/rules.jinja), one macro at a time, in Copier's own Jinja
environment (harness/questions.py): a test can ask one macro about thousands of answers, or put
Copier's state (`_copier_conf`, the recorded answers) exactly as an update has it. The whole-Copier
tests (test_refusals.py, test_update.py) keep checking that the messages reach the user and
nothing is written.
"""

from __future__ import annotations

from typing import Any

from uv_torch_template.catalog import load_raw
from uv_torch_template.expectations.matrix import BASE_ANSWERS
from uv_torch_template.harness.questions import environment

ENVIRONMENT = environment()
CATALOG = load_raw()
ANSWERS = {**BASE_ANSWERS, "strategy": "extras", "backends": ["cpu", "cu130"], "torch_version": "2.13"}


def copier_conf(**settings: Any) -> dict[str, Any]:
    """`_copier_conf` as `copier copy --defaults` into a new folder sets it."""
    return {
        "data": {},
        "defaults": True,
        "overwrite": False,
        "answers_file": ".copier-answers.yml",
        "dst_path": "/nonexistent/project",
        **settings,
    }


def verdict(macro: str, *arguments: Any, conf: dict[str, Any] | None = None, **answers: Any) -> str:
    """What `macro` from includes/rules.jinja prints for these answers: a refusal, or ''."""
    template = ENVIRONMENT.from_string(
        f"{{% from 'includes/rules.jinja' import {macro} with context %}}{{{{ {macro}(*arguments) }}}}"
    )
    context = {
        # rules.jinja reads the catalog as copier.yml hands it over: the parsed catalog.yml
        # (`catalog_document`, one YAML document) that its `catalog` answer aliases.
        "catalog_document": [CATALOG],
        "_copier_conf": conf or copier_conf(),
        "_external_data": {"recorded": {}},
        **ANSWERS,
        **answers,
        "arguments": arguments,
    }
    return template.render(context).strip()
