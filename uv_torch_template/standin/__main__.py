"""`python -m uv_torch_template.standin`: serve the stand-in index until SIGTERM or SIGINT.

The first line on stdout is the base URL (`http://127.0.0.1:PORT/whl`), flushed at once, so a
caller (nox, a shell script) can start it with port 0 and read where it listens. Anything that
stops it from starting (a port in use, a bad host or port, a missing folder) is one line on
stderr and exit status 2, never a traceback.

--catalog / --facts serve another catalog or facts file instead of catalog.yml / facts.yml: a
stand-in that differs from the catalog in a known way, which the lock check and the survey must
then name.
"""

from __future__ import annotations

import argparse
import signal
import socket
import sys
import threading
from pathlib import Path
from typing import NoReturn

from ..catalog import load as load_catalog
from .facts import load as load_facts
from .server import StandinIndex


class _OneLineParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port {port} is outside 0-65535")
    return port


def _folder(value: str) -> Path:
    path = Path(value)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"wheelhouse {value!r} is not a folder")
    return path


def _file(value: str) -> Path:
    path = Path(value)
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"{value!r} is not a file")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = _OneLineParser(
        prog="python -m uv_torch_template.standin",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=_port, default=0, help="0: any free port (default)")
    parser.add_argument(
        "--wheelhouse",
        action="extend",
        nargs="+",
        type=_folder,
        metavar="DIR",
        help="folders of real wheels that replace stubs of the same name (default: PIP_FIND_LINKS)",
    )
    parser.add_argument(
        "--catalog", type=_file, metavar="FILE", help="serve this catalog (default: catalog.yml)"
    )
    parser.add_argument(
        "--facts", type=_file, metavar="FILE", help="serve these wheel facts (default: standin/facts.yml)"
    )
    args = parser.parse_args(argv)

    catalog = load_catalog(args.catalog.resolve()) if args.catalog else None
    facts = load_facts(args.facts.resolve()) if args.facts else None
    index = StandinIndex(
        wheelhouses=args.wheelhouse, host=args.host, port=args.port, catalog=catalog, facts=facts
    )
    try:
        index.start()
    except socket.gaierror as error:
        parser.exit(2, f"{parser.prog}: error: cannot resolve host {args.host!r}: {error.strerror}\n")
    except OSError as error:
        parser.exit(2, f"{parser.prog}: error: cannot listen on {args.host}:{args.port}: {error.strerror}\n")
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    try:
        print(index.url, flush=True)
        stop.wait()
    finally:
        index.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
