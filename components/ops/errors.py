"""Every failure the operator can fix becomes one line that says what to do, and an exit code.

Commands raise ``OpsError`` for what they detect themselves; ``explain`` translates what the
SDKs raise (botocore, hvac, the Kubernetes client) into the same form, so no traceback ever
reaches the terminal for a missing credential, a denied permission or a missing resource.
"""

from __future__ import annotations

from enum import IntEnum


class Exit(IntEnum):
    OK = 0
    FAILED = 1  # a check failed, or the operation did not succeed
    BAD_INPUT = 2  # the stack, an option or an argument is wrong (click uses 2 for usage errors too)
    ENVIRONMENT = 3  # credentials, permissions, endpoints: fix the environment, not the command
    NOT_FOUND = 4  # a resource the command needs does not exist
    ABORTED = 5  # the operator declined the confirmation


class OpsError(Exception):
    """What went wrong and what to do about it, in one line."""

    def __init__(self, message: str, remedy: str = "", exit_code: Exit = Exit.FAILED):
        super().__init__(message)
        self.message = message
        self.remedy = remedy
        self.exit_code = exit_code

    def __str__(self) -> str:
        return f"{self.message}; {self.remedy}" if self.remedy else self.message


def bad_input(message: str, remedy: str = "") -> OpsError:
    return OpsError(message, remedy, Exit.BAD_INPUT)


def not_found(message: str, remedy: str = "") -> OpsError:
    return OpsError(message, remedy, Exit.NOT_FOUND)


_ACCESS_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess"}
_BAD_CREDENTIALS = {
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidAccessKeyId",
}
_CREDENTIALS_REMEDY = (
    "set AWS_PROFILE (then `aws sso login`) or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY for the stack's account"
)


def explain(error: BaseException) -> OpsError | None:
    """The one-line form of an SDK error, or None for an error the kit does not know (a bug: re-raise)."""
    if isinstance(error, OpsError):
        return error
    for translate in (_botocore, _hvac, _kubernetes, _network):
        found = translate(error)
        if found is not None:
            return found
    return None


def _botocore(error: BaseException) -> OpsError | None:
    try:
        from botocore import exceptions as bx
    except ImportError:  # pragma: no cover - botocore is a runtime requirement
        return None
    if isinstance(error, (bx.NoCredentialsError, bx.PartialCredentialsError)):
        return OpsError("no AWS credentials found", _CREDENTIALS_REMEDY, Exit.ENVIRONMENT)
    if isinstance(error, (bx.NoRegionError, bx.InvalidRegionError)):
        return OpsError(str(error), "check airflow-ha:aws.region in the stack file", Exit.BAD_INPUT)
    if isinstance(error, bx.ProfileNotFound):
        return OpsError(str(error), "set AWS_PROFILE to a profile in ~/.aws/config", Exit.ENVIRONMENT)
    if isinstance(error, bx.EndpointConnectionError):
        return OpsError(str(error), "check the network, AWS_ENDPOINT_URL and airflow-ha:aws.region", Exit.ENVIRONMENT)
    if isinstance(error, bx.ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        message = error.response.get("Error", {}).get("Message", "") or code
        operation = getattr(error, "operation_name", "the AWS call")
        if code in _ACCESS_DENIED:
            return OpsError(
                f"AWS denied {operation}: {message}",
                "grant that action to the role you run as (docs/runbooks/new-environment.md lists them)",
                Exit.ENVIRONMENT,
            )
        if code in _BAD_CREDENTIALS:
            return OpsError(f"AWS rejected the credentials ({code})", _CREDENTIALS_REMEDY, Exit.ENVIRONMENT)
        if "NotFound" in code or code.startswith("NoSuch") or code == "ResourceNotFoundException":
            return OpsError(f"{operation}: {message}", "check the name in the stack file or the option", Exit.NOT_FOUND)
        return OpsError(f"{operation} failed: {code}: {message}", "", Exit.FAILED)
    return None


def _hvac(error: BaseException) -> OpsError | None:
    try:
        from hvac import exceptions as hx
    except ImportError:  # pragma: no cover
        return None
    if isinstance(error, (hx.Unauthorized, hx.Forbidden)):
        return OpsError(
            f"Vault refused the request: {error}".rstrip(": "),
            "set VAULT_TOKEN to a token whose policy allows it",
            Exit.ENVIRONMENT,
        )
    if isinstance(error, hx.InvalidPath):
        return OpsError(f"Vault has no such path: {error}".rstrip(": "), "check airflow-ha:vault.*", Exit.NOT_FOUND)
    if isinstance(error, hx.VaultError):
        return OpsError(f"Vault error: {error}", "check VAULT_ADDR and the Vault server's health", Exit.ENVIRONMENT)
    return None


def _kubernetes(error: BaseException) -> OpsError | None:
    try:
        from kubernetes.client.exceptions import ApiException
        from kubernetes.config.config_exception import ConfigException
    except ImportError:  # pragma: no cover
        return None
    if isinstance(error, ConfigException):
        return OpsError(
            f"no usable kubeconfig: {error}",
            "set KUBECONFIG, or airflow-ha:kubernetes.context to a context in it",
            Exit.ENVIRONMENT,
        )
    if isinstance(error, ApiException):
        if error.status in (401, 403):
            return OpsError(
                f"the Kubernetes API refused the request ({error.status} {error.reason})",
                "use a context whose user may read it (RBAC)",
                Exit.ENVIRONMENT,
            )
        if error.status == 404:
            return OpsError(f"Kubernetes has no such resource ({error.reason})", "", Exit.NOT_FOUND)
        return OpsError(f"the Kubernetes API failed: {error.status} {error.reason}", "", Exit.ENVIRONMENT)
    return None


def _network(error: BaseException) -> OpsError | None:
    try:
        import requests
        import urllib3
    except ImportError:  # pragma: no cover
        return None
    if isinstance(error, (requests.ConnectionError, urllib3.exceptions.HTTPError, ConnectionError)):
        return OpsError(f"cannot connect: {error}", "check the address and the network path to it", Exit.ENVIRONMENT)
    return None
