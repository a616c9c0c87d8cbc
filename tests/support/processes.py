"""Processes the tests and benchmarks start: each in its own session, logged to a file, bound to
127.0.0.1 on a free port, and stopped by its PID (its whole process group) whatever happens."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
STOP_TIMEOUT_SECONDS = 20


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


class ProcessGroup:
    """Long-running processes started here, by name, each leading its own process group."""

    def __init__(self, logs: Path):
        self.logs = logs
        logs.mkdir(parents=True, exist_ok=True)
        self.running: list[tuple[str, subprocess.Popen[bytes]]] = []

    def __enter__(self) -> ProcessGroup:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop_all()

    def log(self, name: str) -> Path:
        return self.logs / f"{name}.log"

    def start(
        self, name: str, argv: list[str], env: Mapping[str, str] | None = None, **popen: Any
    ) -> subprocess.Popen[bytes]:
        with self.log(name).open("wb") as log:
            process = subprocess.Popen(
                argv, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, **popen
            )
        self.running.append((name, process))
        return process

    def process(self, name: str) -> subprocess.Popen[bytes]:
        for running_name, process in self.running:
            if running_name == name:
                return process
        raise KeyError(f"no process named {name!r} is running")

    def signal(self, name: str, signum: int) -> None:
        """Send ``signum`` to the process group of ``name`` (a worker and its forked children)."""
        os.killpg(self.process(name).pid, signum)

    def stop(self, name: str) -> None:
        for entry in [e for e in self.running if e[0] == name]:
            terminate(entry[1])
            self.running.remove(entry)

    def stop_all(self) -> None:
        while self.running:
            _, process = self.running.pop()
            terminate(process)

    def check_alive(self) -> None:
        for name, process in self.running:
            if process.poll() is not None:
                tail = self.log(name).read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{name} exited with {process.returncode}; its log ends:\n{tail}")

    def cpu_seconds(self) -> float:
        """CPU time so far of every process started here and all their descendants, reaped ones included."""
        import psutil

        total = 0.0
        for _, process in self.running:
            with contextlib.suppress(psutil.NoSuchProcess):
                root = psutil.Process(process.pid)
                for member in [root, *root.children(recursive=True)]:
                    with contextlib.suppress(psutil.NoSuchProcess):
                        times = member.cpu_times()
                        total += times.user + times.system + times.children_user + times.children_system
        return total

    def wait_for(self, what: str, ready: Callable[[], T], timeout: float, interval: float = 0.5) -> T:
        """``ready()``'s first truthy result, failing early when a process here died."""
        return wait_for(what, ready, timeout, interval, check=self.check_alive)


def terminate(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group led by this PID (celery and uvicorn fork children), then SIGKILL."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(STOP_TIMEOUT_SECONDS)


def wait_for(
    what: str,
    ready: Callable[[], T],
    timeout: float,
    interval: float = 0.5,
    check: Callable[[], None] | None = None,
) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check is not None:
            check()
        result = ready()
        if result:
            return result
        time.sleep(interval)
    raise TimeoutError(f"{what} not ready after {timeout:.0f}s")


@contextlib.contextmanager
def listening(name: str, argv: list[str], port: int, logs: Path, timeout: float = 30.0) -> Iterator[int]:
    """Start ``argv`` (which must bind 127.0.0.1:``port``), yield its PID, stop it by PID."""
    with ProcessGroup(logs) as group:
        process = group.start(name, argv)
        group.wait_for(f"{name} on 127.0.0.1:{port}", lambda: port_open(port), timeout, interval=0.1)
        yield process.pid
