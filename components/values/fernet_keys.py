"""The fernet keys of a stack: which generations exist, which Airflow uses, and the document the
AWS tiers keep them in (pure).

Airflow reads ``[core] fernet_key`` as a comma-separated list (``MultiFernet``): it encrypts with
the first key and decrypts with any. A rotation is stated in the stack config as a generation
number (``airflow.fernetKeyGeneration``): raising it adds a new random key first and keeps the
earlier ones after it; ``airflow.fernetKeyRetiredThrough`` drops the generations up to a number once
``airflow rotate-fernet-key`` has re-encrypted everything under the new key. Nothing leaves the list
unless said so: raising the generation without retiring keeps every earlier key readable. Every generation's key
stays in the kit's keeping (Pulumi state, and in the AWS tiers the retained key store), because a
database snapshot taken before the rotation is still encrypted under the old key.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from ..config.model import StackConfig

# The JSON document in the key store: the list Airflow reads, and every generation's key.
DOCUMENT_FERNET_KEY = "fernet_key"
DOCUMENT_GENERATION = "generation"
DOCUMENT_KEYS = "keys"

# Generation 1 predates rotation: a RandomId (URL-safe base64 without padding). Later generations
# are RandomBytes, whose value never appears as a resource id (standard base64 with padding).
LEGACY_GENERATION = 1


@dataclass(frozen=True)
class FernetRotation:
    generation: int
    retired_through: int

    @property
    def generations(self) -> tuple[int, ...]:
        """Every generation the stack keeps a key for, oldest first."""
        return tuple(range(1, self.generation + 1))

    @property
    def active(self) -> tuple[int, ...]:
        """The generations in ``[core] fernet_key``, the one Airflow encrypts with first."""
        return tuple(range(self.generation, self.retired_through, -1))

    @property
    def rotating(self) -> bool:
        """More than one key is in use: a rotation has begun and not been retired yet."""
        return len(self.active) > 1


def fernet_rotation(cfg: StackConfig) -> FernetRotation:
    return FernetRotation(cfg.airflow.fernet_key_generation, cfg.airflow.fernet_key_retired_through)


def fernet_key_from_url_safe(b64_url: str) -> str:
    """RandomId's ``b64_url`` of 32 bytes is URL-safe base64 without padding (43 characters);
    Fernet wants the padded form (44 characters, ending in ``=``)."""
    return b64_url + "=" * (-len(b64_url) % 4)


def fernet_key_from_standard(b64_std: str) -> str:
    """RandomBytes' ``base64`` is standard base64; Fernet wants the URL-safe alphabet."""
    return b64_std.translate(str.maketrans("+/", "-_"))


def active_fernet_key(keys: Mapping[int, str], rotation: FernetRotation) -> str:
    """``[core] fernet_key``: the active generations' keys, newest first, comma-separated."""
    return ",".join(keys[generation] for generation in rotation.active)


def key_store_document(keys: Mapping[int, str], rotation: FernetRotation) -> str:
    """What the AWS tiers keep in the retained Secrets Manager secret (``AwsNames.fernet_key_store``)."""
    return json.dumps(
        {
            DOCUMENT_FERNET_KEY: active_fernet_key(keys, rotation),
            DOCUMENT_GENERATION: rotation.generation,
            DOCUMENT_KEYS: {str(generation): keys[generation] for generation in sorted(keys)},
        },
        sort_keys=True,
    )


def stored_keys(document: str) -> dict[int, str]:
    """Every generation's key in a key store document."""
    return {int(generation): key for generation, key in json.loads(document)[DOCUMENT_KEYS].items()}


def adopted_keys(retained: Mapping[int, str], generated: Mapping[int, str]) -> dict[int, str]:
    """A stack that adopted a retained database uses the retained keys for every generation they
    cover (its own generators produced different ones), and its own for later generations."""
    return {generation: retained.get(generation, key) for generation, key in generated.items()}
