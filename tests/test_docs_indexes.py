"""Every ADR and every runbook is reachable from its folder's index: a record nobody can find is lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.paths import REPO


@pytest.mark.parametrize("folder", ["docs/adr", "docs/runbooks"])
def test_every_document_is_listed_in_its_index(folder: str) -> None:
    index = (REPO / folder / "README.md").read_text()
    documents = sorted(path.name for path in Path(REPO / folder).glob("*.md") if path.name != "README.md")
    assert documents, f"no documents in {folder}"
    assert [name for name in documents if f"({name})" not in index] == []


def test_adr_numbers_are_unique() -> None:
    numbers = [path.name[:4] for path in (REPO / "docs/adr").glob("[0-9][0-9][0-9][0-9]-*.md")]
    assert len(numbers) == len(set(numbers))


def test_every_adr_is_linked_from_the_architecture() -> None:
    architecture = (REPO / "docs/architecture.md").read_text()
    records = sorted(path.name for path in (REPO / "docs/adr").glob("[0-9][0-9][0-9][0-9]-*.md"))
    assert [name for name in records if f"(adr/{name})" not in architecture] == []
