import tempfile, time
from pathlib import Path
import jinja2.loaders as jl
import copier._main as cm
from uv_torch_template.tasks.sessions import template_snapshot
from uv_torch_template.expectations.answer_sets import ANSWER_SETS
from uv_torch_template.harness.render import render_afresh
work = Path(tempfile.mkdtemp())
t = template_snapshot(work/"t")
ans = ANSWER_SETS["extras-4"].answers(index_url="https://download.pytorch.org/whl")
phase = ["?"]
orig_load = jl.BaseLoader.load
def load(self, env, name, globals=None):
    s=time.perf_counter(); r = orig_load(self, env, name, globals); print(phase[0], id(env)%10000, name, round(time.perf_counter()-s,4)); return r
jl.BaseLoader.load = load
for n in ("_ask", "_render_template"):
    o = getattr(cm.Worker, n)
    def w(self, *a, _o=o, _n=n, **k):
        phase[0] = _n
        return _o(self, *a, **k)
    setattr(cm.Worker, n, w)
render_afresh(ans, work/"r", template=t)
