"""Long waits (snapshots, reboots, restores) show a spinner with the elapsed time and the state."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from .errors import OpsError

T = TypeVar("T")


def wait_for(
    what: str,
    poll: Callable[[], tuple[bool, str, T]],
    *,
    timeout: float,
    interval: float = 10.0,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[T, float]:
    """Call ``poll`` until it reports done; return its last value and the seconds it took.

    ``poll`` returns ``(done, state shown to the operator, value)``. Raises ``OpsError`` after
    ``timeout`` seconds, saying what it was waiting for and the last state seen.
    """
    start = time.monotonic()
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("[dim]{task.fields[state]}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        task = progress.add_task(what, state="", total=None)
        while True:
            done, state, value = poll()
            progress.update(task, state=state)
            elapsed = time.monotonic() - start
            if done:
                return value, elapsed
            if elapsed >= timeout:
                raise OpsError(
                    f"gave up waiting for {what} after {elapsed:.0f} s (last state: {state})",
                    "look at the resource in the AWS console; the operation may still finish",
                )
            sleep(interval)
