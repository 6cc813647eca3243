"""The validators of copier.yml (includes/rules.jinja), called directly with plain Jinja.

Copier renders each validator in a sandboxed Jinja environment with the Ansible core filters;
this builds the same environment on the same files, so a test can ask one macro about thousands
of answers in the time one `copier copy` takes. The whole-Copier tests (test_refusals.py,
test_answer_safety.py) keep checking that the messages reach the user and nothing is written.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import FileSystemLoader
from jinja2.sandbox import SandboxedEnvironment

from uv_torch_template.catalog import REPO_ROOT, load_raw
from uv_torch_template.expectations.matrix import BASE_ANSWERS

ENVIRONMENT = SandboxedEnvironment(
    loader=FileSystemLoader(REPO_ROOT), extensions=["jinja2_ansible_filters.AnsibleCoreFiltersExtension"]
)
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


@cache
def _caller(macro: str):
    return ENVIRONMENT.from_string(
        f"{{% from 'includes/rules.jinja' import {macro} with context %}}{{{{ {macro}(*arguments) }}}}"
    )


def verdict(macro: str, *arguments: Any, conf: dict[str, Any] | None = None, **answers: Any) -> str:
    """What `macro` from includes/rules.jinja prints for these answers: a refusal, or ''."""
    template = _caller(macro)
    context = {
        "catalog": CATALOG,
        "_copier_conf": conf or copier_conf(),
        "_external_data": {"recorded": {}},
        **ANSWERS,
        **answers,
        "arguments": arguments,
    }
    return template.render(context).strip()
