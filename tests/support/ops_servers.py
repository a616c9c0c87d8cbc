"""Start the ops command's stand-ins (``ops_standins.py``) next to moto_server, and a kubeconfig for one."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .processes import free_port, listening

STANDINS = Path(__file__).with_name("ops_standins.py")


@contextlib.contextmanager
def aws_gaps(workdir: Path, moto_url: str, spec: dict[str, Any]) -> Iterator[str]:
    """An AWS endpoint: the RDS and ElastiCache actions moto lacks from ``spec``, the rest from moto."""
    port = free_port()
    spec_file = workdir / "aws-gaps.json"
    spec_file.write_text(json.dumps({**spec, "moto": moto_url}))
    argv = [sys.executable, str(STANDINS), "aws-gaps", str(port), str(spec_file)]
    with listening("aws-gaps", argv, port, workdir / "logs"):
        yield f"http://127.0.0.1:{port}"


@contextlib.contextmanager
def kubernetes_api(workdir: Path, spec: dict[str, Any], context: str = "standin") -> Iterator[Path]:
    """The Kubernetes API stand-in; yields a kubeconfig whose context ``context`` reaches it with
    ``spec['token']``. The current context is another one (``kind-elsewhere``, reaching nothing),
    as in an operator's kubeconfig that last pointed at another cluster."""
    port = free_port()
    spec_file = workdir / "kubernetes-api.json"
    spec_file.write_text(json.dumps(spec))
    kubeconfig = workdir / "kubeconfig"
    kubeconfig.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [
                    {"name": context, "cluster": {"server": f"http://127.0.0.1:{port}"}},
                    {"name": "kind-elsewhere", "cluster": {"server": "http://127.0.0.1:9"}},
                ],
                "users": [{"name": "standin", "user": {"token": spec["token"]}}],
                "contexts": [
                    {"name": context, "context": {"cluster": context, "user": "standin"}},
                    {"name": "kind-elsewhere", "context": {"cluster": "kind-elsewhere", "user": "standin"}},
                ],
                "current-context": "kind-elsewhere",
            }
        )
    )
    argv = [sys.executable, str(STANDINS), "kubernetes", str(port), str(spec_file)]
    with listening("kubernetes-api", argv, port, workdir / "logs"):
        yield kubeconfig
