"""copier.yml's questions answered as `copier copy --defaults --data ...` answers them, without
cloning the template or rendering a file: each refusal in about 20 ms instead of a Copier run.

The questions, their parsing, choices (disabled ones included) and validators are Copier's own
(`copier._template`, `copier._user_data`, at the version uv.lock pins); only the loop that walks
them in order is restated here, from Copier's `Worker._ask` for a first copy with `--defaults`.
tests/test_refusals.py checks that a few refusals read the same through a whole Copier run, so
that a Copier release that changes the loop shows up there.
"""

from __future__ import annotations

from functools import cache
from pathlib import PurePath
from typing import Any

from copier._jinja_ext import CopierTemplateLoader, SandboxedEnvironment, YieldExtension
from copier._template import filter_config, load_template_config
from copier._user_data import AnswersMap, Question

from uv_torch_template.catalog import REPO_ROOT

ANSWERS_FILE = ".copier-answers.yml"


class _CompilingOnce(SandboxedEnvironment):
    """Copier compiles each question's strings on every render; the same string compiles to the
    same template, so this harness compiles each once per process (the cost of a case halves)."""

    def from_string(self, source, globals=None, template_class=None):
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        try:
            return self._compiled[source]
        except AttributeError:
            self._compiled: dict[str, Any] = {}
        except KeyError:
            pass
        self._compiled[source] = super().from_string(source)
        return self._compiled[source]


class Refused(ValueError):
    """Copier's refusal: the question it names and its message, as Copier words it."""

    def __init__(self, question: str, message: str) -> None:
        super().__init__(message)
        self.question = question


@cache
def _template() -> tuple[dict[str, Any], dict[str, Any], SandboxedEnvironment]:
    config, questions = filter_config(load_template_config(REPO_ROOT / "copier.yml"))
    # Copier's environment (Worker.jinja_env): the template needs no extension of its own.
    extensions = ["jinja2_ansible_filters.AnsibleCoreFiltersExtension", YieldExtension]
    # copier.yml's `_envops`, which filter_config hands over without its underscore.
    envops = {"keep_trailing_newline": True, **config.get("envops", {})}
    env = _CompilingOnce(loader=CopierTemplateLoader(REPO_ROOT), extensions=extensions, **envops)
    return config, questions, env


def environment() -> SandboxedEnvironment:
    """Copier's Jinja environment on this template, for calling one macro of includes/ directly."""
    return _template()[2]


def copier_default(name: str) -> Any:
    """A question's default (the index URL's, say) as Copier computes it under --defaults, where
    copier.yml takes it from org.yml, the organisation profile: read, never restated."""
    return _defaults()[name]


@cache
def _defaults() -> dict[str, Any]:
    return answer({"project_name": "default-probe"})


def answer(data: dict[str, Any]) -> dict[str, Any]:
    """Every answer, hidden ones (the catalog, the plan) included, as Copier computes them from
    `data`; raises Refused for the first question that refuses, as Copier does."""
    _, questions, env = _template()
    answers = AnswersMap(init=dict(data))
    conf = {
        "data": dict(data),
        "defaults": True,
        "overwrite": False,
        "answers_file": PurePath(ANSWERS_FILE),
        "sep": "/",
    }
    for name, details in questions.items():
        question = Question(
            answers=answers,
            context={**answers.combined, "_copier_conf": conf},
            jinja_env=env,
            var_name=name,
            **details,
        )
        try:
            if name in answers.init:
                value = question.parse_answer(answers.init[name])
                question.validate_answer(value)
            else:
                value = question.get_default()
        except ValueError as error:
            raise Refused(name, str(error)) from error
        answers.user[name] = value
    return dict(answers.user)


def refusal(data: dict[str, Any]) -> Refused | None:
    """The refusal Copier would print for `data`, or None when it accepts them."""
    try:
        answer(data)
    except Refused as refused:
        return refused
    return None
