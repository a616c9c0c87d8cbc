"""A StatsD receiver on 127.0.0.1 (UDP), and the mapping the chart's StatsD exporter applies.

``StatsdMapping`` reads the ``mappings.yml`` the chart renders into its StatsD ConfigMap and
names each StatsD metric as statsd_exporter does (``pkg/mapper``): glob mappings first, in file
order, where ``*`` stands for one dot-separated part; then regex mappings, in file order,
unanchored. A mapping with ``action: drop`` drops what it matches. An unmatched metric keeps its
name with every character outside ``[a-zA-Z0-9_]`` replaced by ``_``. Timers become summaries
(the exporter's default): ``<name>_sum``, ``<name>_count`` and ``<name>`` with quantiles.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import yaml

TIMER_TYPES = ("ms", "h", "d")
_INVALID = re.compile(r"[^a-zA-Z0-9_]")
_GROUP = re.compile(r"\$\{?(\d+)\}?")


@dataclass(frozen=True)
class StatsdSample:
    name: str
    value: str
    type: str  # c, g, ms, h, d, s
    received_at: float = 0.0  # time.monotonic() when the receiver got it


def parse_datagram(datagram: str, received_at: float = 0.0) -> list[StatsdSample]:
    """``name:value|type[|@rate][|#tags]`` lines; several per datagram when the client batches."""
    samples = []
    for line in datagram.splitlines():
        name, _, rest = line.partition(":")
        if not rest:
            continue
        value, _, kind = rest.partition("|")
        samples.append(StatsdSample(name, value, kind.split("|")[0], received_at))
    return samples


@dataclass
class StatsdReceiver:
    """Every sample sent to ``port`` while it runs, in a thread of the test process."""

    samples: list[StatsdSample] = field(default_factory=list)
    _socket: socket.socket = field(default_factory=lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM))

    def __post_init__(self) -> None:
        self._socket.bind(("127.0.0.1", 0))
        self._socket.settimeout(0.2)
        self.port: int = self._socket.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._receive, daemon=True)

    def __enter__(self) -> StatsdReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._socket.close()

    def _receive(self) -> None:
        while not self._stop.is_set():
            try:
                datagram = self._socket.recv(65535)
            except TimeoutError:
                continue
            self.samples += parse_datagram(datagram.decode("utf-8", "replace"), time.monotonic())

    def names(self) -> set[str]:
        return {sample.name for sample in self.samples}


@dataclass(frozen=True)
class _Mapping:
    match: str
    regex: re.Pattern[str] | None
    name: str
    labels: dict[str, str]
    drop: bool


class StatsdMapping:
    def __init__(self, mappings_yml: str):
        document: dict[str, Any] = yaml.safe_load(mappings_yml) or {}
        self.globs: list[_Mapping] = []
        self.regexes: list[_Mapping] = []
        for entry in document.get("mappings") or []:
            labels = {str(k): str(v) for k, v in (entry.get("labels") or {}).items()}
            drop = entry.get("action") == "drop"
            if entry.get("match_type", "glob") == "regex":
                self.regexes.append(_Mapping(entry["match"], re.compile(entry["match"]), entry["name"], labels, drop))
            else:
                self.globs.append(_Mapping(entry["match"], None, entry["name"], labels, drop))

    def prometheus_name(self, statsd_name: str) -> tuple[str, dict[str, str]] | None:
        """The series name (and labels) the exporter gives a StatsD metric; None when it drops it."""
        parts = statsd_name.split(".")
        for mapping in self.globs:
            pattern = mapping.match.split(".")
            if len(pattern) != len(parts):
                continue
            captures = []
            for want, got in zip(pattern, parts, strict=True):
                if want == "*":
                    captures.append(got)
                elif want != got:
                    break
            else:
                if mapping.drop:
                    return None
                return _expand(mapping.name, captures), {k: _expand(v, captures) for k, v in mapping.labels.items()}
        for mapping in self.regexes:
            assert mapping.regex is not None
            found = mapping.regex.search(statsd_name)
            if found and mapping.drop:
                return None
            if found:
                groups = list(found.groups())
                return _expand(mapping.name, groups), {k: _expand(v, groups) for k, v in mapping.labels.items()}
        return _INVALID.sub("_", statsd_name), {}

    def series(self, samples: list[StatsdSample]) -> set[str]:
        """Every series name the exporter exposes for ``samples``."""
        names: set[str] = set()
        for sample in samples:
            mapped = self.prometheus_name(sample.name)
            if mapped is None:
                continue
            name = mapped[0]
            if sample.type in TIMER_TYPES:
                names |= {name, f"{name}_sum", f"{name}_count"}
            else:
                names.add(name)
        return names


def _expand(template: str, captures: list[str | None]) -> str:
    return _GROUP.sub(lambda m: captures[int(m.group(1)) - 1] or "", template)
