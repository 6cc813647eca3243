import cProfile, pstats, tempfile, io
from pathlib import Path
import copier._main as cm
from uv_torch_template.tasks.sessions import template_snapshot
from uv_torch_template.expectations.answer_sets import ANSWER_SETS
from uv_torch_template.harness.render import render_afresh
work = Path(tempfile.mkdtemp())
t = template_snapshot(work/"t")
ans = ANSWER_SETS["extras-4"].answers(index_url="https://download.pytorch.org/whl")
render_afresh(ans, work/"r", template=t)
pr = cProfile.Profile()
orig = cm.Worker._render_template
def w(self, *a, **k):
    pr.enable()
    try: return orig(self, *a, **k)
    finally: pr.disable()
cm.Worker._render_template = w
render_afresh(ans, work/"r", template=t)
st = pstats.Stats(pr); st.sort_stats("cumulative").print_stats(40)
