"""`python -m uv_torch_template.standin`: serve the stand-in index until SIGTERM or SIGINT.

The first line on stdout is the base URL (`http://127.0.0.1:PORT/whl`), flushed at once, so a
caller (nox, a shell script) can start it with port 0 and read where it listens.
"""

from __future__ import annotations

import argparse
import signal
import threading

from .server import StandinIndex


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m uv_torch_template.standin", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: any free port (default)")
    parser.add_argument(
        "--wheelhouse",
        action="extend",
        nargs="+",
        metavar="DIR",
        help="folders of real wheels that replace stubs of the same name (default: PIP_FIND_LINKS)",
    )
    args = parser.parse_args(argv)

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    with StandinIndex(wheelhouses=args.wheelhouse, host=args.host, port=args.port) as index:
        print(index.url, flush=True)
        stop.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
