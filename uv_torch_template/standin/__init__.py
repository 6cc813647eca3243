"""A faithful offline stand-in for PyTorch's wheel indexes (https://download.pytorch.org/whl).

Serves, on a loopback port, what the real indexes serve and in the same shape: static PEP 503
pages with PEP 658 sidecars and upload times, labelled and unlabelled builds with their real
file-name tags, the METADATA each build declares, triton companions at the /whl/ root, stale
copies of non-torch projects. The wheels are metadata-only stubs generated from catalog.yml and
facts.yml, except where a real wheel of the same name is at hand.

    from uv_torch_template.standin import StandinIndex

    with StandinIndex() as index:
        index.url   # http://127.0.0.1:PORT/whl; backend X is at f"{index.url}/X"

Modules: facts (facts.yml), dists (which wheels exist), wheels (stub bytes), index (contents
and caching), pages (HTML), server (HTTP); `python -m uv_torch_template.standin` runs it.
"""

from .server import StandinIndex

__all__ = ["StandinIndex"]
