"""`airflow-ha keys`: export the stack's keys, and rotate the fernet key end to end.

    airflow-ha keys export --stack prod --to-file prod-keys.enc   (passphrase: AIRFLOW_HA_EXPORT_PASSPHRASE)
    airflow-ha keys export --stack prod --to-secret backup/airflow-prod-keys
    airflow-ha keys decrypt prod-keys.enc
    airflow-ha keys rotate-fernet --stack prod [--dry-run] [--yes]

The rotation is Airflow's multi-key procedure, driven through the stack config the Pulumi program
reads (``airflow.fernetKeyGeneration``, ``airflow.fernetKeyRetiredThrough``; ``values/fernet_keys.py``):

1. the generation goes up: the program adds a new key first in ``[core] fernet_key``, the old one after it;
2. the deploy (``pulumi up``) rolls every component onto the two keys;
3. ``airflow rotate-fernet-key`` re-encrypts every connection and variable under the new key;
4. the older keys are retired from the config, and a second deploy rolls the components onto the new one alone.

A rotation interrupted after step 1 resumes at the deploy (deploys are idempotent): more than one key
in use means a rotation is under way.
"""

from __future__ import annotations

import base64
import json
import os
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from ..values.fernet_keys import fernet_rotation
from ..values.kit_secrets import API_SECRET_KEY, FERNET_KEY, JWT_SECRET
from .context import Output, Stack, StackFilePath, StackName, open_stack
from .errors import Exit, OpsError, bad_input, explain
from .keys_stackfile import set_airflow_keys
from .output import Format, Reporter
from .safety import DryRun, Yes, confirm

app = typer.Typer(name="keys", help="Export the stack's keys; rotate the fernet key.", no_args_is_help=True)

PASSPHRASE_ENV = "AIRFLOW_HA_EXPORT_PASSPHRASE"
EXPORT_FORMAT = "airflow-ha-keys/1"
SCRYPT = {"n": 2**15, "r": 8, "p": 1}
STDERR_FD = 2  # the process's own stderr, whoever replaced sys.stderr
DEFAULT_DEPLOY = "pulumi up --stack {stack} --cwd {project}"
DEFAULT_REENCRYPT = "kubectl --namespace {namespace} exec deploy/{release}-scheduler -- airflow rotate-fernet-key"


# ---- export -------------------------------------------------------------------------------------


def stack_keys(stack: Stack) -> tuple[dict[str, Any], list[str]]:
    """The keys the stack's pods read (its Kubernetes Secrets) and, in the AWS tiers, every fernet
    generation from the retained key store; with what could not be read (a torn-down cluster)."""
    keys: dict[str, Any] = {}
    unreadable: list[str] = []
    try:
        keys |= _cluster_keys(stack)
    except Exception as error:
        known = explain(error)
        if known is None:
            raise
        unreadable.append(f"the cluster's key Secrets: {known}")
    if stack.config.on_aws:
        try:
            store = stack.client("secretsmanager").get_secret_value(SecretId=stack.aws_names.fernet_key_store)
            keys["fernet_key_store"] = json.loads(store["SecretString"])
        except Exception as error:
            known = explain(error)
            if known is None:
                raise
            unreadable.append(f"the fernet key store {stack.aws_names.fernet_key_store}: {known}")
    return keys, unreadable


def _cluster_keys(stack: Stack) -> dict[str, str]:
    from kubernetes import client

    from ..naming.kubernetes import Names
    from .kube import api_client

    names = Names(stack.config.kubernetes.release_name, stack.config.kubernetes.namespace)
    core = client.CoreV1Api(api_client(stack))
    found: dict[str, str] = {}
    for field, purpose, key in (
        ("fernet_key", "fernet-key", FERNET_KEY),
        ("api_secret_key", "api-secret-key", API_SECRET_KEY),
        ("jwt_secret", "jwt-secret", JWT_SECRET),
    ):
        secret = core.read_namespaced_secret(names.secret(purpose), names.namespace)
        found[field] = base64.b64decode(secret.data[key]).decode()
    return found


def encrypt_export(document: dict[str, Any], passphrase: str) -> str:
    """The export, encrypted with a key derived from ``passphrase`` (scrypt, then Fernet)."""
    from cryptography.fernet import Fernet

    salt = os.urandom(16)
    token = Fernet(_derived_key(passphrase, salt)).encrypt(json.dumps(document, sort_keys=True).encode())
    envelope = {"format": EXPORT_FORMAT, "kdf": {"name": "scrypt", **SCRYPT}, "salt": base64.b64encode(salt).decode()}
    return json.dumps({**envelope, "token": token.decode()}, indent=2) + "\n"


def decrypt_export(text: str, passphrase: str) -> dict[str, Any]:
    from cryptography.fernet import Fernet, InvalidToken

    try:
        envelope = json.loads(text)
        if envelope.get("format") != EXPORT_FORMAT:
            raise ValueError(envelope.get("format"))
        salt = base64.b64decode(envelope["salt"])
        document: dict[str, Any] = json.loads(Fernet(_derived_key(passphrase, salt)).decrypt(envelope["token"]))
    except InvalidToken:
        raise OpsError("the passphrase does not open this export", f"set {PASSPHRASE_ENV} to the one used") from None
    except (ValueError, KeyError) as error:
        raise bad_input(f"not an airflow-ha key export ({error})", "give a file written by `keys export`") from None
    return document


def _derived_key(passphrase: str, salt: bytes) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    raw = Scrypt(salt=salt, length=32, n=SCRYPT["n"], r=SCRYPT["r"], p=SCRYPT["p"]).derive(passphrase.encode())
    return base64.urlsafe_b64encode(raw)


def _passphrase(confirm_it: bool) -> str:
    passphrase = os.environ.get(PASSPHRASE_ENV)
    if passphrase:
        return passphrase
    try:
        return str(typer.prompt("Export passphrase", hide_input=True, confirmation_prompt=confirm_it, err=True))
    except typer.Abort:
        raise bad_input("no passphrase", f"set {PASSPHRASE_ENV} or run on a terminal") from None


@app.command("export")
def export(
    to_file: Annotated[Path | None, typer.Option("--to-file", help="Write an encrypted file here.")] = None,
    to_secret: Annotated[
        str | None, typer.Option("--to-secret", help="Write a Secrets Manager secret of this name (KMS-encrypted).")
    ] = None,
    kms_key_id: Annotated[
        str | None, typer.Option("--kms-key-id", help="KMS key of --to-secret. Default: the kit's key of the stack.")
    ] = None,
    stack: StackName = None,
    stack_file: StackFilePath = None,
    output: Output = Format.text,
    dry_run: DryRun = False,
    yes: Yes = False,
) -> None:
    """Export the fernet key (every generation), the API secret key and the JWT secret, encrypted."""
    if (to_file is None) == (to_secret is None):
        raise bad_input("say where the export goes", "pass --to-file PATH or --to-secret NAME (one of them)")
    opened = open_stack(stack, stack_file)
    out = Reporter("keys export", output, opened.name)
    target = str(to_file) if to_file is not None else f"Secrets Manager secret {to_secret}"
    if dry_run:
        out.finish(True, f"would export the keys of '{opened.name}' to {target} (dry run: nothing read or written)")
    keys, unreadable = stack_keys(opened)
    for problem in unreadable:
        out.note(f"warning: not exported: {problem}")
    if not keys:
        raise OpsError(f"no key of stack '{opened.name}' could be read", "; ".join(unreadable), Exit.ENVIRONMENT)
    document = {"stack": opened.name, **keys}
    out.data["exported"] = sorted(keys)
    if to_file is not None:
        if to_file.exists():
            confirm(f"{to_file} exists; overwrite it?", yes=yes)
        to_file.write_text(encrypt_export(document, _passphrase(confirm_it=True)))
        to_file.chmod(0o600)
    else:
        client = opened.client("secretsmanager")
        value = json.dumps(document, sort_keys=True)
        try:
            client.put_secret_value(SecretId=to_secret, SecretString=value)
        except client.exceptions.ResourceNotFoundException:
            client.create_secret(
                Name=to_secret,
                Description=f"airflow-ha keys export of stack {opened.name}",
                KmsKeyId=kms_key_id or opened.aws_names.kms_alias,
                SecretString=value,
            )
    out.finish(not unreadable, f"exported {', '.join(sorted(keys))} of '{opened.name}' to {target}")


@app.command("decrypt")
def decrypt(path: Annotated[Path, typer.Argument(help="A file written by `keys export --to-file`.")]) -> None:
    """Print a key export's content (for a restore: never into a shared terminal log)."""
    if not path.exists():
        raise bad_input(f"{path} does not exist", "give the file `keys export --to-file` wrote")
    document = decrypt_export(path.read_text(), _passphrase(confirm_it=False))
    typer.echo(json.dumps(document, indent=2, sort_keys=True))


# ---- rotate-fernet ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    title: str
    config: dict[str, int | bool] | None = None  # stack-file change, then the deploy
    command: str | None = None


def rotation_steps(stack: Stack, deploy: str, reencrypt: str) -> list[Step]:
    rotation = fernet_rotation(stack.config)
    deployed = _formatted(deploy, stack)
    steps: list[Step] = []
    if rotation.rotating:
        target = rotation.generation  # resuming: the new key is first in the config already
        in_use = rotation.active
    else:
        target = rotation.generation + 1
        in_use = (target, *rotation.active)
        steps.append(
            Step(f"add generation {target} first, keep {rotation.generation} after it", {"fernetKeyGeneration": target})
        )
    keys = ",".join(str(generation) for generation in in_use)
    steps += [
        Step(f"deploy: every component rolls onto keys {keys}", command=deployed),
        Step(
            f"re-encrypt every connection and variable under generation {target}", command=_formatted(reencrypt, stack)
        ),
        Step(f"retire generations up to {target - 1}", {"fernetKeyRetiredThrough": target - 1}),
        Step(f"deploy: every component rolls onto key {target} alone", command=deployed),
    ]
    return steps


def _formatted(template: str, stack: Stack) -> str:
    cfg = stack.config
    return template.format(
        stack=shlex.quote(stack.name),
        project=shlex.quote(str(stack.path.resolve().parent.parent)),
        stack_file=shlex.quote(str(stack.path)),
        namespace=shlex.quote(cfg.kubernetes.namespace),
        release=shlex.quote(cfg.kubernetes.release_name),
    )


@app.command("rotate-fernet")
def rotate_fernet(
    deploy_command: Annotated[
        str,
        typer.Option(
            "--deploy-command", help="How the stack is deployed ({stack}, {project}, {stack_file} filled in)."
        ),
    ] = DEFAULT_DEPLOY,
    reencrypt_command: Annotated[
        str,
        typer.Option(
            "--reencrypt-command",
            help="How `airflow rotate-fernet-key` runs against the stack ({namespace}, {release} filled in).",
        ),
    ] = DEFAULT_REENCRYPT,
    stack: StackName = None,
    stack_file: StackFilePath = None,
    output: Output = Format.text,
    dry_run: DryRun = False,
    yes: Yes = False,
) -> None:
    """Rotate the fernet key: new key first, components roll, re-encrypt, old key dropped."""
    opened = open_stack(stack, stack_file)
    out = Reporter("keys rotate-fernet", output, opened.name)
    steps = rotation_steps(opened, deploy_command, reencrypt_command)
    out.table(
        "steps",
        "Fernet key rotation",
        ["step", "what", "runs"],
        [
            [number, step.title, step.command or f"set airflow.{', airflow.'.join(step.config or {})} in {opened.path}"]
            for number, step in enumerate(steps, start=1)
        ],
    )
    if dry_run:
        out.finish(True, f"{len(steps)} steps (dry run: nothing changed)")
    confirm(f"Rotate the fernet key of stack '{opened.name}' ({len(steps)} steps, two deploys)?", yes=yes)
    done: list[str] = []
    for number, step in enumerate(steps, start=1):
        out.note(f"[{number}/{len(steps)}] {step.title}")
        if step.config is not None:
            set_airflow_keys(opened.path, step.config)
            _check_stack_file(opened, step.config)
        if step.command is not None:
            _run(step.command, number, done)
        done.append(step.title)
    final = open_stack(None, opened.path)
    out.data["generation"] = final.config.airflow.fernet_key_generation
    out.finish(
        True,
        f"fernet key of '{opened.name}' rotated to generation {final.config.airflow.fernet_key_generation}; "
        "the previous key is gone from the config",
    )


def _check_stack_file(stack: Stack, expected: dict[str, int | bool]) -> None:
    """The edited stack file is still valid and says what the step meant."""
    edited = open_stack(None, stack.path).config.airflow
    found = {
        "fernetKeyGeneration": edited.fernet_key_generation,
        "fernetKeyRetiredThrough": edited.fernet_key_retired_through,
    }
    if any(found[key] != value for key, value in expected.items()):
        raise OpsError(f"{stack.path} reads back as {found} after the edit, not {expected}", "fix the file by hand")


def _run(command: str, number: int, done: list[str]) -> None:
    # The operator's own command line; its output goes to stderr so that `--output json` stays one document.
    finished = subprocess.run(command, shell=True, check=False, stdout=STDERR_FD)
    if finished.returncode != 0:
        where = f"after: {'; '.join(done)}" if done else "before any change was deployed"
        raise OpsError(
            f"step {number} failed (exit {finished.returncode}): {command} ({where})",
            "fix the cause and run `airflow-ha keys rotate-fernet` again: it resumes where the stack file stands",
        )
