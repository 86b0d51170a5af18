"""Keys are slow to make, so one pair of issuers serves the whole session; documents are fresh."""

from __future__ import annotations

import pytest

from colbot.openbadges.keys import IssuerKeys
from tests.support.badge_world import World, build_world


@pytest.fixture(scope="session")
def issuer_keys() -> IssuerKeys:
    return IssuerKeys.generate()


@pytest.fixture(scope="session")
def retired_keys() -> IssuerKeys:
    return IssuerKeys.generate()


@pytest.fixture(scope="session")
def stranger_keys() -> IssuerKeys:
    return IssuerKeys.generate()


@pytest.fixture
def world(issuer_keys: IssuerKeys, retired_keys: IssuerKeys) -> World:
    return build_world(issuer_keys, retired_keys)
