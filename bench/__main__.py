"""`python -m bench [--items N]`: speed and memory of the parts an operator waits on.

Each measurement is printed with its target; the exit status is 1 when a
target is missed. The numbers are for catching regressions on one machine,
not for comparing machines.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import tempfile
from pathlib import Path

from bench.backlog import (
    measure_headless_backlog,
    measure_model_backlog,
    measure_scaling,
    on_postgres,
)
from bench.console import measure_console
from bench.core import (
    measure_parsing,
    measure_pipeline,
    measure_portfolio,
    measure_store,
    measure_triage,
)
from bench.results import Result
from bench.terminal import measure_terminal

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--items", type=int, default=10_000, help="queue size for the console")
    parser.add_argument(
        "--backlog", type=int, default=1_000, help="mail in the headless and terminal runs"
    )
    parser.add_argument(
        "--no-scaling", action="store_true", help="skip the slow-model runs (about 3 minutes)"
    )
    args = parser.parse_args()
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        results += measure_parsing(ROOT)
        results += asyncio.run(measure_triage(ROOT))
        results += asyncio.run(measure_store(work / "store"))
        results += asyncio.run(measure_pipeline(ROOT, work / "pipeline"))
        results += measure_headless_backlog(work / "headless", args.backlog)
        results += on_postgres(measure_headless_backlog, work / "headless-pg", args.backlog)
        results += measure_model_backlog(work / "model", args.backlog)
        results += on_postgres(measure_model_backlog, work / "model-pg", args.backlog)
        if not args.no_scaling:
            results += measure_scaling(work / "scaling", 1.0, 640, [8, 32, 64])
        results += measure_portfolio(ROOT, work / "portfolio")
        results += measure_console(ROOT, work / "console", args.items)
        results += measure_terminal(ROOT, work / "terminal", args.items, args.backlog)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results.append(Result("peak memory, whole benchmark", peak, "MiB", 600, False))
    for result in results:
        print(result.line())
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
