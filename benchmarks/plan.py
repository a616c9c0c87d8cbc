"""Wall time and peak memory of the offline plan of each shipped stack, next to the import floor.

The floor is a fresh Python process that only imports the Pulumi SDK modules the plan itself
loads (found by asking a planning process which ``pulumi*`` modules it ended up with). The
target: a whole plan process costs under 2× that floor.

    .venv/bin/python benchmarks/plan.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STACKS = ("local", "dev", "staging", "prod")

_LIST_SDK_MODULES = """
import io, json, sys, contextlib
from components.plan.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    main(["plan", "--stack", "prod", "--format", "json"])
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0].startswith("pulumi"))))
"""


def _timed(argv: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS in MiB) of one child process."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{process.stderr.read().decode()}")
    return wall, usage.ru_maxrss / 1024


def _measure(argv: list[str], runs: int) -> tuple[float, float]:
    samples = [_timed(argv) for _ in range(runs)]
    return statistics.median(s[0] for s in samples), max(s[1] for s in samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (the median is shown)")
    runs = parser.parse_args().runs

    listed = subprocess.run(
        [sys.executable, "-c", _LIST_SDK_MODULES], cwd=REPO, capture_output=True, text=True, check=True
    )
    sdk_modules = json.loads(listed.stdout.strip().splitlines()[-1])
    importer = f"import importlib\nfor name in {sdk_modules!r}:\n    importlib.import_module(name)"
    floor_wall, floor_rss = _measure([sys.executable, "-c", importer], runs)

    print(
        f"Import floor ({len(sdk_modules)} Pulumi SDK modules the plan loads): "
        f"{floor_wall:.2f} s, {floor_rss:.0f} MiB peak RSS"
    )
    print(f"{'stack':<8} {'wall s':>7} {'x floor':>8} {'peak MiB':>9}")
    for stack in STACKS:
        wall, rss = _measure([sys.executable, "-m", "components", "plan", "--stack", stack, "--format", "json"], runs)
        print(f"{stack:<8} {wall:>7.2f} {wall / floor_wall:>8.2f} {rss:>9.0f}")
    print(f"(median of {runs} runs each; python {sys.version.split()[0]}, {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
