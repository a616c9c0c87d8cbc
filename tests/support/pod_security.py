"""The Pod Security Standards (Kubernetes 1.31), as the Pod Security Admission controller checks
a pod spec: what ``baseline`` forbids, and what ``restricted`` requires on top of it.

Source: kubernetes.io/docs/concepts/security/pod-security-standards/ (the policy table per level).
Each check returns the violations it finds as short sentences naming the container or volume.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .manifests import containers

BASELINE_CAPABILITIES = {
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
}
SAFE_SYSCTLS = {
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
}
SELINUX_TYPES = {None, "", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}
RESTRICTED_VOLUME_TYPES = {
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
}
LEVELS = ("baseline", "restricted")


def violations(spec: dict[str, Any], level: str) -> list[str]:
    """What stops a pod with ``spec`` from being admitted at ``level`` (empty: admitted)."""
    found = list(_baseline(spec))
    if level == "restricted":
        found += list(_restricted(spec))
    return found


def _context(container: dict[str, Any]) -> dict[str, Any]:
    return container.get("securityContext") or {}


def _baseline(spec: dict[str, Any]) -> Iterator[str]:
    pod = spec.get("securityContext") or {}
    for key in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(key):
            yield f"{key} is true"
    if (pod.get("windowsOptions") or {}).get("hostProcess"):
        yield "the pod is a Windows host process"
    for volume in spec.get("volumes") or []:
        if "hostPath" in volume:
            yield f"volume {volume['name']} is a hostPath"
    yield from _selinux("the pod", pod)
    if (pod.get("seccompProfile") or {}).get("type") == "Unconfined":
        yield "the pod's seccomp profile is Unconfined"
    for sysctl in pod.get("sysctls") or []:
        if sysctl["name"] not in SAFE_SYSCTLS:
            yield f"sysctl {sysctl['name']} is not in the safe set"
    for container in containers(spec):
        name = f"container {container['name']}"
        context = _context(container)
        if context.get("privileged"):
            yield f"{name} is privileged"
        if (context.get("windowsOptions") or {}).get("hostProcess"):
            yield f"{name} is a Windows host process"
        added = set((context.get("capabilities") or {}).get("add") or [])
        if added - BASELINE_CAPABILITIES:
            yield f"{name} adds capabilities {sorted(added - BASELINE_CAPABILITIES)}"
        for port in container.get("ports") or []:
            if port.get("hostPort"):
                yield f"{name} uses hostPort {port['hostPort']}"
        if (context.get("appArmorProfile") or {}).get("type") == "Unconfined":
            yield f"{name}'s AppArmor profile is Unconfined"
        yield from _selinux(name, context)
        if context.get("procMount", "Default") != "Default":
            yield f"{name} sets procMount {context['procMount']}"
        if (context.get("seccompProfile") or {}).get("type") == "Unconfined":
            yield f"{name}'s seccomp profile is Unconfined"


def _selinux(name: str, context: dict[str, Any]) -> Iterator[str]:
    options = context.get("seLinuxOptions") or {}
    if options.get("type") not in SELINUX_TYPES:
        yield f"{name} sets SELinux type {options['type']}"
    if options.get("user") or options.get("role"):
        yield f"{name} sets an SELinux user or role"


def _restricted(spec: dict[str, Any]) -> Iterator[str]:
    pod = spec.get("securityContext") or {}
    for volume in spec.get("volumes") or []:
        kinds = set(volume) - {"name"}
        if not kinds <= RESTRICTED_VOLUME_TYPES:
            yield f"volume {volume['name']} is of type {sorted(kinds)}"
    if pod.get("runAsUser") == 0:
        yield "the pod runs as UID 0"
    for container in containers(spec):
        name = f"container {container['name']}"
        context = _context(container)
        if context.get("allowPrivilegeEscalation") is not False:
            yield f"{name} does not set allowPrivilegeEscalation: false"
        if context.get("runAsNonRoot") is False or (
            context.get("runAsNonRoot") is not True and pod.get("runAsNonRoot") is not True
        ):
            yield f"{name} does not run as non-root (runAsNonRoot: true on the pod or the container)"
        if context.get("runAsUser") == 0:
            yield f"{name} runs as UID 0"
        profile = (context.get("seccompProfile") or pod.get("seccompProfile") or {}).get("type")
        if profile not in ("RuntimeDefault", "Localhost"):
            yield f"{name} has no RuntimeDefault or Localhost seccomp profile (pod or container)"
        capabilities = context.get("capabilities") or {}
        if "ALL" not in (capabilities.get("drop") or []):
            yield f"{name} does not drop ALL capabilities"
        if set(capabilities.get("add") or []) - {"NET_BIND_SERVICE"}:
            yield f"{name} adds capabilities other than NET_BIND_SERVICE"
