"""``python -m bench.perf``: see :mod:`bench.perf.run`."""

import sys

from bench.perf.run import main

sys.exit(main())
