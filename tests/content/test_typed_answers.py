"""How young people really type: a corpus of typed answers, read as colbot reads them.

Prints the share understood, wrongly understood and asked again. A wrong value is worse than a
re-ask, so the test fails on any wrong value, and on less than the share understood it expects.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from colbot.app import build_app
from colbot.chat.messages import Inbound, InboundKind
from colbot.chat.steps import StepContext, read_answer
from colbot.clock import FrozenClock
from colbot.settings import Settings

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "typed_answers.yaml"
SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "typed-answers.sample.yaml"
UNDERSTOOD_AT_LEAST = 0.80


def _entries(path: Path) -> list[dict[str, Any]]:
    return list(yaml.safe_load(path.read_text(encoding="utf-8")) or [])


def _read(settings: Settings, clock: FrozenClock, entries: list[dict[str, Any]]) -> dict[str, Any]:
    engine = build_app(settings, clock=clock).engine
    tally: dict[str, Any] = {"understood": 0, "wrong": [], "reasked": [], "total": len(entries)}
    for entry in entries:
        flow_id, step_id = entry["question"].split(".")
        step = engine.content.flow(flow_id).step(step_id)
        assert step is not None, entry
        ctx = StepContext(
            content=engine.content,
            render_context=dict(engine.base_context, first_name="", nickname=None),
            places=engine.places,
            passions=engine.passions,
            matcher=engine.matcher,
            first_name="",
            min_age=13,
            tz=ZoneInfo("Europe/London"),
            now=clock.now(),
            words=engine.words,
        )
        inbound = Inbound("webchat", "corpus", InboundKind.TEXT, text=entry["text"])
        reading = read_answer(step, inbound, ctx, [])
        if reading.accepted:
            got: Any = reading.value
            if isinstance(got, dict) and "area" in got:
                got = got["area"]  # an area is kept with where it came from
        elif reading.selection:
            got = reading.selection
        else:
            got = "reask"
        expected = entry["expect"]
        if isinstance(expected, list):
            got = sorted(got) if isinstance(got, list) else got
            expected = sorted(expected)
        if str(got) == str(expected) and expected != "reask":
            tally["understood"] += 1
        elif got == "reask":
            tally["reasked"].append(entry)
        elif expected == "reask":
            tally["wrong"].append((entry, got))
        else:
            tally["wrong"].append((entry, got))
    return tally


@pytest.mark.parametrize("corpus", [CORPUS, SAMPLE], ids=["ours", "shared sample"])
def test_typed_answers_are_understood_and_never_misread(
    settings: Settings, clock: FrozenClock, corpus: Path
) -> None:
    if not corpus.exists():
        pytest.skip(f"{corpus} is not here")
    entries = _entries(corpus)
    tally = _read(settings, clock, entries)
    should = [e for e in entries if e["expect"] != "reask"]
    understood = tally["understood"] / max(1, len(should))
    print(
        f"\n{corpus.name}: {len(entries)} answers; understood {understood:.0%} of "
        f"{len(should)}, wrong {len(tally['wrong'])}, asked again {len(tally['reasked'])}"
    )
    for entry in tally["reasked"]:
        if entry["expect"] != "reask":
            print(
                f"  asked again: {entry['question']} {entry['text']!r} (wanted {entry['expect']})"
            )
    assert not tally["wrong"], tally["wrong"]
    assert understood >= UNDERSTOOD_AT_LEAST
