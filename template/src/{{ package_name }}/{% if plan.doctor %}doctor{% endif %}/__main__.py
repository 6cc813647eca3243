"""`python -m <package>.doctor`: the doctor before anything is installed."""

from . import main

raise SystemExit(main())
