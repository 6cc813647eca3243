"""The bench's breakdown of a render (uv_torch_template/tasks/render_cost.py): it wraps Copier's,
Jinja's and PyYAML's internals, so a rename in an upgrade must fail here, not print zeros."""

import copier._template
import jinja2
import plumbum.commands.base
import pytest
import yaml

from uv_torch_template.catalog import REPO_ROOT
from uv_torch_template.expectations.answer_sets import ANSWER_SETS
from uv_torch_template.tasks.render_cost import PARTS, REST, breakdown
from uv_torch_template.tasks.sessions import trivial_template


def wrapped_functions() -> list:
    return [
        copier._template.load_template_config,
        yaml.safe_load,
        jinja2.Environment.compile,
        plumbum.commands.base.BaseCommand.run,
    ]


def test_each_part_of_a_render_is_timed_and_nothing_stays_wrapped(tmp_path):
    before = wrapped_functions()
    ours = breakdown(REPO_ROOT, ANSWER_SETS["extras-4"].answers(), tmp_path / "ours", runs=1)
    theirs = breakdown(trivial_template(tmp_path / "trivial"), {}, tmp_path / "theirs", runs=1)

    assert all(ours[part] > 0 for part in PARTS), ours
    # The one-question template has no includes and no YAML answers; its copier.yml, its one file
    # and Copier's git commands still take time.
    yaml_config, yaml_answers, includes, files, _, git = PARTS
    assert theirs[includes] == 0 and theirs[yaml_answers] == 0, theirs
    assert theirs[yaml_config] > 0 and theirs[files] > 0 and theirs[git] > 0, theirs
    for parts in (ours, theirs):
        assert parts[REST] >= 0
        assert sum(parts[part] for part in (*PARTS, REST)) == pytest.approx(parts["total"])
    assert wrapped_functions() == before
