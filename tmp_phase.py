import time, tempfile, statistics
from pathlib import Path
import copier._main as cm, copier._vcs as cv, copier._template as ct
from uv_torch_template.tasks.sessions import template_snapshot, trivial_template
from uv_torch_template.expectations.answer_sets import ANSWER_SETS
from uv_torch_template.harness.render import render_afresh
acc = {}
def wrap(obj, name, label):
    orig = getattr(obj, name)
    def w(*a, **k):
        s = time.perf_counter()
        try: return orig(*a, **k)
        finally: acc[label] = acc.get(label, 0) + time.perf_counter() - s
    setattr(obj, name, w)
wrap(cm.Worker, "_ask", "ask")
wrap(cm.Worker, "_render_template", "files")
wrap(cv, "clone", "clone")
wrap(ct, "load_template_config", "config-yaml")
work = Path(tempfile.mkdtemp())
t = template_snapshot(work/"t"); tr = trivial_template(work/"tr")
ans = ANSWER_SETS["extras-4"].answers(index_url="https://download.pytorch.org/whl")
for src, a, label in ((t, ans, "ours"), (tr, {}, "trivial")):
    render_afresh(a, work/"r", template=src)
    runs = []
    for _ in range(7):
        acc.clear(); s = time.perf_counter(); render_afresh(a, work/"r", template=src); total = time.perf_counter() - s
        runs.append({**acc, "total": total})
    print(label, {k: round(statistics.median(r.get(k, 0) for r in runs), 3) for k in runs[0]})
