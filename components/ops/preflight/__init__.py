"""`airflow-ha preflight`: everything the stack assumes exists, checked before `pulumi up`.

Each finding is pass, warn or fail with its remedy; the command fails when any check fails, so a
missing OIDC provider shows up in seconds instead of twenty minutes into `pulumi up`.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import Output, Stack, StackFilePath, StackName, open_stack
from ..output import Format, Reporter
from .aws import aws_findings
from .checks import Finding, Verdict
from .kubernetes import kubernetes_findings
from .vault import vault_findings

_MARK = {Verdict.PASS: "PASS", Verdict.WARN: "WARN", Verdict.FAIL: "FAIL"}


def findings(stack: Stack) -> Iterator[Finding]:
    if stack.config.on_aws:
        yield from aws_findings(stack)
    if stack.config.secrets_backend.type == "vault":
        yield from vault_findings(stack)
    yield from kubernetes_findings(stack)


def preflight(stack: StackName = None, stack_file: StackFilePath = None, output: Output = Format.text) -> None:
    """Check the account, Vault and the cluster for everything the stack needs, before `pulumi up`."""
    opened = open_stack(stack, stack_file)
    out = Reporter("preflight", output, opened.name)
    found = list(findings(opened))
    out.data["checks"] = [
        {"verdict": f.verdict.value, "area": f.area, "check": f.check, "detail": f.detail, "remedy": f.remedy}
        for f in found
    ]
    out.note(f"Preflight of stack '{opened.name}' ({opened.config.tier} tier)")
    for f in found:
        out.note(f"{_MARK[f.verdict]}  {f.area} / {f.check}: {f.detail}")
        if f.remedy:
            out.note(f"      -> {f.remedy}")
    failures = sum(f.verdict == Verdict.FAIL for f in found)
    warnings = sum(f.verdict == Verdict.WARN for f in found)
    summary = f"{len(found)} checks, {failures} failed, {warnings} warnings"
    out.finish(failures == 0, f"{summary}" + ("" if failures else f"; stack '{opened.name}' is ready for pulumi up"))
