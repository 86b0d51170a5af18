"""What the catalogue's command-line tests share: a clean environment for `colbot`."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from colbot.content.city import City, load_city
from colbot.content.locations import city_dir, conversations_dir
from colbot.content.passions import Passion, load_passions

HEADER = (
    "id,partner,title,description,passions,starts_at,ends_at,venue,address,postcode,latitude,"
    "longitude,min_age,max_age,cost,hours,capacity,url,badge"
)


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for name in list(os.environ):
        if name.startswith("COLBOT_"):
            monkeypatch.delenv(name)
    data_dir = tmp_path / "cli-data"
    monkeypatch.setenv("COLBOT_DATA_DIR", str(data_dir))
    level = logging.getLogger().level
    yield data_dir
    logging.getLogger().setLevel(level)


@pytest.fixture
def passions() -> tuple[Passion, ...]:
    return load_passions(conversations_dir() / "en" / "passions.yaml")


@pytest.fixture
def city(passions: tuple[Passion, ...]) -> City:
    return load_city(city_dir("kensalfield"), {p.id for p in passions})
