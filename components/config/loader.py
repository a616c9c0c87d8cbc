"""Turn a stack's raw config (as Pulumi hands it over) into a validated ``StackConfig``.

Pure: it knows nothing of Pulumi. ``values`` maps full config keys (``airflow-ha:tier``) to
values, which may be JSON strings (how the Pulumi runtime passes objects) or already decoded
(how the offline plan reads a stack file). ``secret_keys`` lists the keys that were set with
``--secret``. Every problem is collected and raised at once as a ``ConfigError``.
"""

from __future__ import annotations

import difflib
import json
import logging
import re
import types
import typing
from collections.abc import Collection, Iterable, Iterator, Mapping
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from .errors import PROJECT, ConfigError, Problem
from .model import TIERS, StackConfig
from .renames import RENAMED_KEYS, RenamedKey, Warn, apply_renames, reported_at_written_key
from .rule import Rule
from .rules import CONFIG_RULES
from .secrets import SECRET_KEYS, Secrets
from .tiers import deep_merge, tier_defaults

# Namespaces of the providers the kit uses; their keys are theirs to check.
PROVIDER_NAMESPACES = frozenset({"aws", "kubernetes", "vault", "random", "pulumi"})

# Plaintext values that look like credentials, wherever they appear in the stack file.
_CREDENTIAL_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"hooks\.slack\.com/services/"), "a Slack webhook URL"),
    (re.compile(r"^[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@"), "a URL with a password in it"),
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"), "a private key"),
    (re.compile(r"\bAKIA[0-9A-Z]{16}\b"), "an AWS access key"),
    (re.compile(r"^hv[sbr]\.[A-Za-z0-9_-]{20,}"), "a Vault token"),
    (re.compile(r"^(ghp|gho|ghs|github_pat|glpat)[-_][A-Za-z0-9_]{20,}"), "a Git access token"),
)

_SECTION_FIELDS = {name: field for name, field in StackConfig.model_fields.items() if name not in ("stack", "secrets")}
_ALIASES = {field.alias or name: name for name, field in _SECTION_FIELDS.items()}
# One validator per top-level section, so that one broken section does not hide the others.
_SECTION_TYPES: dict[str, Any] = {
    name: typing.Annotated[(field.annotation, *field.metadata)] if field.metadata else field.annotation
    for name, field in _SECTION_FIELDS.items()
}
_SECTION_ADAPTERS = {name: TypeAdapter(section_type) for name, section_type in _SECTION_TYPES.items()}
_SECRET_ALIASES = {field.alias or name: name for name, field in Secrets.model_fields.items()}

_LOG = logging.getLogger(__name__)


def load_stack_config(
    stack: str,
    values: Mapping[str, Any],
    secret_keys: Collection[str] = (),
    extra_rules: Iterable[Rule] = (),
    *,
    warn: Warn = _LOG.warning,
    renames: tuple[RenamedKey, ...] = RENAMED_KEYS,
) -> StackConfig:
    """``extra_rules`` run after the config rules (the capacity checks: see ``components/validation.py``);
    ``warn`` receives one line per renamed key the stack file still uses."""
    problems: list[Problem] = []
    user = _own_keys(values, problems)
    secret_names = {key.split(":", 1)[1] for key in secret_keys if key.startswith(f"{PROJECT}:")}
    moved = apply_renames(user, renames, warn, problems)
    secret_names |= {new for new, old in moved.items() if old in secret_names}

    secrets = _secrets(user, secret_names, problems)
    sections = {key: value for key, value in user.items() if key not in _SECRET_ALIASES}
    _unknown_top_level(sections, problems)
    problems += _plaintext_credentials(sections, secret_names)

    tier = sections.get("tier")
    if tier not in TIERS:
        problems.append(Problem("tier", f"is {'missing' if tier is None else repr(tier)}; allowed: {', '.join(TIERS)}"))
        tier = "dev"  # keep checking the rest against some defaults; the report already says why
    merged = deep_merge(tier_defaults(tier, stack), {k: v for k, v in sections.items() if k in _ALIASES})

    valid: dict[str, Any] = {"stack": stack, "secrets": secrets}
    for alias, name in _ALIASES.items():
        try:
            valid[name] = _SECTION_ADAPTERS[name].validate_python(merged.get(alias), by_alias=True, by_name=True)
        except ValidationError as error:
            problems += _translate(error, alias, _SECTION_TYPES[name])

    explicit = frozenset(_dotted_keys(user))
    partial = StackConfig.model_construct(**valid)
    for config_rule in (*CONFIG_RULES, *extra_rules):
        if all(name in valid for name in config_rule.needs):
            problems += list(config_rule.check(partial, explicit))

    if problems:
        raise ConfigError([reported_at_written_key(problem, moved) for problem in problems], stack=stack)
    return StackConfig.model_validate(valid)


def _own_keys(values: Mapping[str, Any], problems: list[Problem]) -> dict[str, Any]:
    own: dict[str, Any] = {}
    for full_key, value in values.items():
        namespace, _, key = full_key.partition(":")
        if not key:
            namespace, key = PROJECT, full_key
        if namespace == PROJECT:
            own[key] = _decoded(value)
        elif namespace not in PROVIDER_NAMESPACES:
            problems.append(
                Problem(
                    "",
                    f"key '{full_key}' is in an unknown namespace '{namespace}'; "
                    f"the kit's keys start with '{PROJECT}:'",
                )
            )
    return own


def _decoded(value: Any) -> Any:
    """The Pulumi runtime passes objects and lists as JSON strings; scalars stay strings."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _secrets(user: dict[str, Any], secret_names: set[str], problems: list[Problem]) -> Secrets:
    found: dict[str, Any] = {}
    for alias in SECRET_KEYS:
        if alias not in user:
            continue
        if alias not in secret_names:
            problems.append(
                Problem(
                    alias, f"is stored in plaintext; it must be encrypted: pulumi config set --secret {alias} <value>"
                )
            )
        if not isinstance(user[alias], str) or not user[alias]:
            problems.append(Problem(alias, "must be a non-empty string"))
            continue
        found[alias] = user[alias]
    return Secrets.model_validate(found)


def _unknown_top_level(sections: dict[str, Any], problems: list[Problem]) -> None:
    known = [*_ALIASES, *SECRET_KEYS]
    for key in sections:
        if key not in _ALIASES:
            problems.append(
                Problem(key, f"is not a known key{_suggestion(key, known)}; known keys: {', '.join(sorted(known))}")
            )


def _suggestion(key: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _plaintext_credentials(sections: dict[str, Any], secret_names: set[str]) -> Iterator[Problem]:
    for path, value in _leaves(sections):
        if path.split(".", 1)[0] in secret_names or not isinstance(value, str):
            continue
        for pattern, what in _CREDENTIAL_PATTERNS:
            if pattern.search(value):  # the report names the key, never the value
                yield Problem(
                    path, f"looks like {what} in plaintext; credentials belong in secret config set with --secret"
                )
                break


def _looks_secret(value: Any) -> bool:
    """A report must never repeat a credential, even one that is also a type error."""
    return isinstance(value, str) and any(pattern.search(value) for pattern, _ in _CREDENTIAL_PATTERNS)


def _leaves(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, f"{prefix}[{index}]")
    else:
        yield prefix, value


def _dotted_keys(value: Any, prefix: str = "") -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            yield path
            yield from _dotted_keys(item, path)


def _translate(error: ValidationError, alias: str, annotation: Any) -> Iterator[Problem]:
    for detail in error.errors():
        loc = list(detail["loc"])
        key = alias + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)
        kind = detail["type"]
        if kind == "extra_forbidden":
            allowed = _allowed_keys(annotation, loc[:-1])
            hint = _suggestion(str(loc[-1]), allowed)
            yield Problem(key, f"is not a known key{hint}; allowed here: {', '.join(allowed)}")
        elif kind == "missing":
            yield Problem(key, "is required")
        else:
            message = detail["msg"].removeprefix("Value error, ")
            shown = detail.get("input")
            hidden = isinstance(shown, (dict, list)) or shown is None or kind == "value_error" or _looks_secret(shown)
            got = "" if hidden else f" (got {shown!r})"
            yield Problem(key, f"{message}{got}")


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, typing.Annotated, list, dict):
        args = typing.get_args(annotation)
        for arg in args[:1] if origin is typing.Annotated else args[-1:] if origin is dict else args:
            found = _model_in(arg)
            if found is not None:
                return found
    return None


def _allowed_keys(annotation: Any, path: list[Any]) -> list[str]:
    model = _model_in(annotation)
    for part in path:
        if model is None:
            return []
        if isinstance(part, int):
            continue
        field = next((f for n, f in model.model_fields.items() if (f.alias or n) == part or n == part), None)
        model = _model_in(field.annotation) if field else None
    return sorted(f.alias or n for n, f in model.model_fields.items()) if model else []
