"""docs/configuration.md documents every key, and is what the model says today."""

from __future__ import annotations

from components.config.model import StackConfig
from components.config.reference import render_reference
from tests.support.paths import REPO


def test_committed_reference_is_current():
    committed = (REPO / "docs" / "configuration.md").read_text()
    assert committed == render_reference(), "docs/configuration.md is stale: run `python -m components docs`"


def test_reference_lists_every_top_level_key_with_tier_defaults():
    reference = render_reference()
    for name, field in StackConfig.model_fields.items():
        if name in ("stack", "secrets"):
            continue
        assert f"`{field.alias or name}" in reference, f"{field.alias} is undocumented"
    row = next(line for line in reference.splitlines() if line.startswith("| `database.multiAz`"))
    assert row.split("|")[3:7] == [" n/a ", " `false` ", " `true` ", " `true` "]
