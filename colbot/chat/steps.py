"""How each kind of question is asked and how an answer to it is read."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from colbot.chat import buttons
from colbot.chat.buttons import ButtonData
from colbot.chat.messages import Button, Inbound, InboundKind, Outbound
from colbot.content.conversations import Conversations, Step
from colbot.domain.dates import DateOutcome, read_start
from colbot.domain.geo import coarse, distance_km
from colbot.domain.passions import PassionMatcher
from colbot.domain.quiet_hours import parse_quiet_hours
from colbot.domain.reading import Words, emoji_of, has_phrase, plain, squeezed
from colbot.domain.text import clean, folded, valid_nickname
from colbot.domain.when import local_when

YOUNGEST_AGE = 13
UNBELIEVABLE_AGE = 120
OLDEST_AGE = 25
NICKNAME_MAX_LENGTH = 32
MAX_DISTANCE_FROM_CITY_KM = 25.0
DONE_WORDS = frozenset({"done", "finished", "that s it", "thats it", "that's it", "ok done"})
SKIP_WORDS = frozenset({"skip", "pass", "not now", "skip it", "next"})


class Place(Protocol):
    """Anything with an id, a name and a centre, such as an area of the city."""

    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def lat(self) -> float: ...

    @property
    def lon(self) -> float: ...


class Places(Protocol):
    """The city's areas, found by postcode or name."""

    @property
    def areas(self) -> Sequence[Place]: ...

    def area_by_postcode(self, text: str) -> Any: ...

    def area_by_name(self, text: str) -> Any: ...


@dataclass(frozen=True)
class PassionChoice:
    """A passion as shown on a button."""

    id: str
    label: str


@dataclass(frozen=True)
class StepContext:
    """What reading and asking a question may need besides the answer itself."""

    content: Conversations
    render_context: dict[str, Any]
    places: Places
    passions: tuple[PassionChoice, ...]
    matcher: PassionMatcher
    first_name: str
    min_age: int
    tz: ZoneInfo
    now: datetime | None = None
    words: Words = field(default_factory=Words)


@dataclass(frozen=True)
class AnswerReading:
    """What an answer did: settled the step, asked again, changed a selection, or ended the flow."""

    value: Any = None
    accepted: bool = False
    retry_key: str | None = None
    selection: list[str] | None = None
    note: str | None = None
    ends_with: str | None = None
    edit: bool = False
    end_reason: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _label(ctx: StepContext, key: str) -> str:
    return ctx.content.render(key, **ctx.render_context)


def _data(action: str, step: Step, value: str = "") -> str:
    return ButtonData(action, step.id, value).encode()


def _skip_row(ctx: StepContext, step: Step) -> tuple[Button, ...]:
    if not step.skippable:
        return ()
    return (Button(_label(ctx, "common.skip"), _data(buttons.SKIP, step)),)


def _rows(items: Sequence[Button], per_row: int) -> tuple[tuple[Button, ...], ...]:
    return tuple(tuple(items[i : i + per_row]) for i in range(0, len(items), per_row))


def question(
    step: Step, ctx: StepContext, selection: Sequence[str] = (), prefix: str = ""
) -> Outbound:
    """The message that asks a step's question, with its buttons."""
    text = _label(ctx, step.ask)
    if prefix:
        text = f"{prefix}\n\n{text}"
    rows: list[tuple[Button, ...]] = []
    location_button = ""
    if step.kind in {"choice", "quiet_hours"}:
        items = [
            Button(_label(ctx, o.label), _data(buttons.ANSWER, step, o.value)) for o in step.options
        ]
        rows.extend(_rows(items, 1 if len(items) <= 2 else 2))
    elif step.kind == "multi_choice":
        items = [
            Button(
                _tick(o.value in selection, _label(ctx, o.label)),
                _data(buttons.TOGGLE, step, o.value),
            )
            for o in step.options
        ]
        rows.extend(_rows(items, 1))
        rows.append((Button(_label(ctx, "common.done"), _data(buttons.DONE, step)),))
    elif step.kind == "passions":
        items = [
            Button(_tick(p.id in selection, p.label), _data(buttons.TOGGLE, step, p.id))
            for p in ctx.passions
        ]
        rows.extend(_rows(items, 2))
        rows.append((Button(_label(ctx, "common.done"), _data(buttons.DONE, step)),))
    elif step.kind == "age":
        items = [Button(str(age), _data(buttons.ANSWER, step, str(age))) for age in range(13, 20)]
        rows.extend(_rows(items, 4))
        rows.append((Button("12 or under", _data(buttons.ANSWER, step, "12")),))
    elif step.kind == "nickname" and ctx.first_name:
        label = ctx.content.render(
            "onboarding.nickname.use_first_name",
            **{**ctx.render_context, "first_name": ctx.first_name},
        )
        rows.append((Button(label, _data(buttons.ANSWER, step, "first_name")),))
    elif step.kind == "datetime" and _pending_moment(selection) is not None:
        moment = _pending_moment(selection)
        assert moment is not None
        check = ctx.content.render(
            "common.when_check", **ctx.render_context, when=local_when(moment, ctx.tz)
        )
        text = f"{prefix}\n\n{check}" if prefix else check
        rows.append((Button(_label(ctx, "common.when_right"), _data(buttons.DONE, step)),))
    elif step.kind == "area":
        items = [Button(a.name, _data(buttons.ANSWER, step, a.id)) for a in ctx.places.areas]
        rows.extend(_rows(items, 2))
        location_button = _label(ctx, "onboarding.area.share_location")
    skip = _skip_row(ctx, step)
    if skip:
        rows.append(skip)
    return Outbound(text=text, buttons=tuple(rows), location_button=location_button)


def _tick(chosen: bool, label: str) -> str:
    return f"✅ {label}" if chosen else label


def read_answer(
    step: Step, inbound: Inbound, ctx: StepContext, selection: list[str]
) -> AnswerReading:
    """Reads one answer to a step, from a button, typed text or a shared location."""
    data = ButtonData.decode(inbound.button_data) if inbound.kind is InboundKind.BUTTON else None
    if data and data.action == buttons.SKIP:
        return (
            AnswerReading(value=None, accepted=True)
            if step.skippable
            else AnswerReading(retry_key=step.retry)
        )
    if (
        step.kind == "datetime"
        and selection
        and (
            (data and data.action == buttons.DONE)
            or (inbound.kind is InboundKind.TEXT and ctx.words.yes_in(inbound.text))
        )
    ):
        return _confirmed_moment(step, selection, ctx)
    if data and data.action == buttons.DONE:
        return AnswerReading(value=list(selection), accepted=True)
    said = folded(inbound.text) if inbound.kind is InboundKind.TEXT else ""
    if said in SKIP_WORDS and step.skippable:
        return AnswerReading(value=None, accepted=True)
    if said in DONE_WORDS and step.kind in {"multi_choice", "passions"}:
        return AnswerReading(value=list(selection), accepted=True)
    reader = _READERS[step.kind]
    return reader(step, inbound, data, ctx, selection)


def _read_choice(
    step: Step, inbound: Inbound, data: ButtonData | None, ctx: StepContext, selection: list[str]
) -> AnswerReading:
    option = step.option(data.value) if data else _option_from_text(step, inbound.text, ctx)
    if option is None:
        return AnswerReading(retry_key=step.retry)
    typed = data is None and not option.ends_with
    return AnswerReading(
        value=option.value,
        accepted=True,
        ends_with=option.ends_with,
        end_reason="declined" if option.ends_with else None,
        note=_got_it(ctx, _label(ctx, option.label)) if typed else None,
    )


def _got_it(ctx: StepContext, what: str) -> str:
    """What colbot understood, said back so that a wrong guess is seen and can be changed."""
    return ctx.content.render("common.got_it", **ctx.render_context, what=what)


def _option_from_text(step: Step, text: str, ctx: StepContext) -> Any:
    """The one option a typed answer means: its label (with or without its emoji), the emoji
    alone, or one of its words anywhere in a sentence; none when two options are named."""
    said = folded(text) or text.strip()  # an emoji alone ("👍") folds to nothing
    if not said:
        return None
    for option in step.options:
        label = _label(ctx, option.label)
        if said in (folded(label), plain(label), option.value) or said in _folded_words(option):
            return option
    stretched = [o for o in step.options if squeezed(said) in {squeezed(w) for w in o.words}]
    if len(stretched) == 1:
        return stretched[0]  # "yeahh", "nooo"
    typed_emoji = emoji_of(text)
    if typed_emoji and not plain(text):
        by_emoji = [o for o in step.options if typed_emoji in emoji_of(_label(ctx, o.label))]
        if len(by_emoji) == 1:
            return by_emoji[0]
    if _is_distance_step(step):
        return _option_for_distance(step, ctx.words, text)
    words = plain(ctx.words.without_filler(text))
    named = [
        option
        for option in step.options
        if any(has_phrase(words, w) for w in (*option.words, plain(_label(ctx, option.label))))
    ]
    if len(named) != 1:
        return None
    if not ctx.words.negated(text):
        return named[0]
    # "nope not really", "nah im good": the answer comes first, and what follows only softens it.
    first = words.split()[:1]
    leading = {plain(w) for w in named[0].words}
    return named[0] if first and first[0] in leading else None


def _folded_words(option: Any) -> set[str]:
    return {folded(word) or word for word in option.words}


def _is_distance_step(step: Step) -> bool:
    """A choice of distances: every option a number of km, or "any"."""
    values = [o.value for o in step.options]
    return bool(values) and all(v == "any" or v.replace(".", "", 1).isdigit() for v in values)


def _option_for_distance(step: Step, words: Words, text: str) -> Any:
    """The smallest offered distance that covers what they typed ("2 miles" is up to 5 km)."""
    found, km = words.distance_km(text)
    if not found:
        return None
    numeric = sorted((float(o.value), o) for o in step.options if o.value != "any")
    anywhere = next((o for o in step.options if o.value == "any"), None)
    if km is None:
        return anywhere
    if km <= 0:
        return None
    covering = [option for limit, option in numeric if km <= limit + 1e-9]
    return covering[0] if covering else anywhere


def _read_multi(
    step: Step, inbound: Inbound, data: ButtonData | None, ctx: StepContext, selection: list[str]
) -> AnswerReading:
    if data and data.action == buttons.TOGGLE and step.option(data.value):
        return AnswerReading(selection=_toggled(selection, data.value), edit=True)
    said = folded(inbound.text)
    if ctx.words.negated(inbound.text):
        return AnswerReading(retry_key=step.retry)  # "not weekends" names what they don't want
    if ctx.words.means_all(inbound.text):
        everything = ", ".join(_label(ctx, o.label) for o in step.options)
        return AnswerReading(
            value=[option.value for option in step.options],
            accepted=True,
            note=_got_it(ctx, everything),
        )
    chosen = [
        option.value
        for option in step.options
        if said
        and (folded(_label(ctx, option.label)) in said or any(w in said for w in option.words))
    ]
    if not chosen:
        return AnswerReading(retry_key=step.retry)
    value = sorted({*selection, *chosen})
    names = ", ".join(_label(ctx, o.label) for o in step.options if o.value in value)
    return AnswerReading(value=value, accepted=True, note=_got_it(ctx, names))


def _toggled(selection: list[str], value: str) -> list[str]:
    return [v for v in selection if v != value] if value in selection else [*selection, value]


def _read_passions(
    step: Step, inbound: Inbound, data: ButtonData | None, ctx: StepContext, selection: list[str]
) -> AnswerReading:
    known = {p.id for p in ctx.passions}
    if data:
        if data.action == buttons.TOGGLE and data.value in known:
            return AnswerReading(selection=_toggled(selection, data.value), edit=True)
        return AnswerReading(retry_key=None)
    matched = [p for p in ctx.matcher.match(inbound.text) if p in known]
    typed_emoji = emoji_of(inbound.text)
    if not matched and typed_emoji:
        matched = [
            p.id for p in ctx.passions if emoji_of(p.label) and emoji_of(p.label) in typed_emoji
        ]
    if not matched:
        return AnswerReading(retry_key=step.retry or "onboarding.passions.no_match")
    names = {p.id: p.label for p in ctx.passions}
    new_selection = [*selection, *(p for p in matched if p not in selection)]
    note = ctx.content.render(
        "onboarding.passions.matched",
        **ctx.render_context,
        chosen=", ".join(names[p] for p in matched),
    )
    return AnswerReading(selection=new_selection, note=note)


def _read_age(
    step: Step, inbound: Inbound, data: ButtonData | None, ctx: StepContext, selection: list[str]
) -> AnswerReading:
    if data:
        raw = data.value
    else:
        typed = ctx.words.age_in(inbound.text)
        raw = "" if typed is None else str(typed)
    if not raw.isdigit():
        return AnswerReading(retry_key=step.retry)
    age = int(raw)
    if age > UNBELIEVABLE_AGE:
        return AnswerReading(retry_key="onboarding.age.unbelievable", extra={"age": age})
    if age < YOUNGEST_AGE and age >= 4:
        return AnswerReading(ends_with="onboarding.age.under_13", end_reason="under_13")
    if not YOUNGEST_AGE <= age <= OLDEST_AGE:
        return AnswerReading(retry_key=step.retry)
    if age < ctx.min_age:
        return AnswerReading(
            ends_with="onboarding.age.under_channel_min", end_reason="under_channel_min"
        )
    return AnswerReading(value=age, accepted=True, note=None if data else _got_it(ctx, str(age)))


def _read_nickname(
    step: Step, inbound: Inbound, data: ButtonData | None, ctx: StepContext, selection: list[str]
) -> AnswerReading:
    if data:
        name = (
            valid_nickname(ctx.first_name, NICKNAME_MAX_LENGTH)
            if data.value == "first_name"
            else None
        )
    else:
        name = valid_nickname(ctx.words.nickname_in(inbound.text), NICKNAME_MAX_LENGTH)
    if not name:
        return AnswerReading(retry_key=step.retry)
    return AnswerReading(value=name, accepted=True, note=None if data else _got_it(ctx, name))


def _read_area(
    step: Step, inbound: Inbound, data: ButtonData | None, ctx: StepContext, selection: list[str]
) -> AnswerReading:
    areas = {area.id: area for area in ctx.places.areas}
    if data:
        area = areas.get(data.value)
        return (
            AnswerReading(value={"area": area.id}, accepted=True)
            if area
            else AnswerReading(retry_key=step.retry)
        )
    if (
        inbound.kind is InboundKind.LOCATION
        and inbound.latitude is not None
        and inbound.longitude is not None
    ):
        return _area_from_location(step, inbound.latitude, inbound.longitude, ctx)
    text = clean(inbound.text)
    area = ctx.places.area_by_postcode(text) or ctx.places.area_by_name(text)
    if area is None:
        return AnswerReading(retry_key=step.retry)
    return AnswerReading(value={"area": area.id}, accepted=True, note=_got_it(ctx, area.name))


def _area_from_location(
    step: Step, latitude: float, longitude: float, ctx: StepContext
) -> AnswerReading:
    """Keeps only a rounded position (about 1 km) and the nearest area; never the exact spot."""
    lat, lon = coarse(latitude, longitude)
    nearest = min(ctx.places.areas, key=lambda a: distance_km(lat, lon, a.lat, a.lon))
    if distance_km(lat, lon, nearest.lat, nearest.lon) > MAX_DISTANCE_FROM_CITY_KM:
        return AnswerReading(retry_key="onboarding.area.outside_city")
    return AnswerReading(value={"area": nearest.id, "lat": lat, "lon": lon}, accepted=True)


POSTCODE = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})\b", re.IGNORECASE)
TEXT_MAX_DEFAULT = 200


def _within(step: Step, value: float) -> bool:
    low = step.minimum if step.minimum is not None else float("-inf")
    high = step.maximum if step.maximum is not None else float("inf")
    return low <= value <= high


def _read_text(
    step: Step, inbound: Inbound, data: ButtonData | None, ctx: StepContext, selection: list[str]
) -> AnswerReading:
    text = clean(inbound.text)
    longest = int(step.maximum or TEXT_MAX_DEFAULT)
    if data or not 1 <= len(text) <= longest:
        return AnswerReading(retry_key=step.retry)
    return AnswerReading(value=text, accepted=True, note=_got_it(ctx, f"“{text}”"))


def _read_datetime(
    step: Step, inbound: Inbound, data: ButtonData | None, ctx: StepContext, selection: list[str]
) -> AnswerReading:
    """A start time typed any common way, asked back ("Did you mean...?") before it is kept."""
    if data or ctx.now is None:
        return AnswerReading(retry_key=step.retry)
    reading = read_start(inbound.text, ctx.words, ctx.tz, ctx.now, ctx.content.language)
    if reading.outcome is DateOutcome.FOUND and reading.moment is not None:
        return AnswerReading(selection=[reading.moment.isoformat()])
    extra: dict[str, Any] = {}
    if reading.outcome is DateOutcome.PAST and reading.moment is not None:
        key, extra = "common.when_past", {"when": local_when(reading.moment, ctx.tz)}
    elif reading.outcome is DateOutcome.NEEDS_TIME:
        key = "common.when_needs_time"
    else:
        key = step.retry or "common.when_needs_time"
    if not selection:
        return AnswerReading(retry_key=key, extra=extra)
    # A new answer that can't be read drops the one waiting to be checked, so the two never mix.
    return AnswerReading(selection=[], note=ctx.content.render(key, **ctx.render_context, **extra))


def _pending_moment(selection: Sequence[str]) -> datetime | None:
    """The start time waiting to be confirmed, kept in the selection as ISO text."""
    if len(selection) != 1:
        return None
    try:
        moment = datetime.fromisoformat(selection[0])
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _confirmed_moment(step: Step, selection: list[str], ctx: StepContext) -> AnswerReading:
    moment = _pending_moment(selection)
    if moment is None:
        return AnswerReading(retry_key=step.retry)
    if ctx.now is not None and moment <= ctx.now:
        return AnswerReading(
            retry_key="common.when_past", extra={"when": local_when(moment, ctx.tz)}
        )
    return AnswerReading(value=moment.isoformat(), accepted=True)


def _read_number(
    step: Step, inbound: Inbound, data: ButtonData | None, ctx: StepContext, selection: list[str]
) -> AnswerReading:
    numbers = set(ctx.words.numbers_in(clean(inbound.text)))
    if len(numbers) != 1:  # "about 15" is 15; "15 or 20" is asked again
        return AnswerReading(retry_key=step.retry)
    value = numbers.pop()
    if not _within(step, value) or value != value:
        return AnswerReading(retry_key=step.retry)
    return AnswerReading(value=value, accepted=True, note=_got_it(ctx, f"{value:g}"))


def _read_range(
    step: Step, inbound: Inbound, data: ButtonData | None, ctx: StepContext, selection: list[str]
) -> AnswerReading:
    """Two numbers ("13-19", "ages 13 to 19"), or one and over ("16+", "14 and up")."""
    text = clean(inbound.text)
    numbers = [n for n in ctx.words.numbers_in(text) if n == int(n)]
    if len(numbers) == 1 and step.maximum is not None and ctx.words.and_over_in(text):
        numbers.append(step.maximum)
    if len(numbers) != 2 or ctx.words.negated(text):
        return AnswerReading(retry_key=step.retry)
    low, high = int(numbers[0]), int(numbers[1])
    if low > high or not (_within(step, low) and _within(step, high)):
        return AnswerReading(retry_key=step.retry)
    said = ctx.content.render("common.range", **ctx.render_context, low=low, high=high)
    return AnswerReading(value=[low, high], accepted=True, note=_got_it(ctx, said))


def _read_place(
    step: Step, inbound: Inbound, data: ButtonData | None, ctx: StepContext, selection: list[str]
) -> AnswerReading:
    text = clean(inbound.text)
    match = POSTCODE.search(text)
    if match is None or len(text) > TEXT_MAX_DEFAULT:
        return AnswerReading(retry_key=step.retry)
    postcode = f"{match.group(1)} {match.group(2)}".upper()
    venue = (text[: match.start()] + text[match.end() :]).strip(" ,") or postcode
    return AnswerReading(
        value={"venue": venue, "postcode": postcode},
        accepted=True,
        note=_got_it(ctx, postcode if venue == postcode else f"{venue}, {postcode}"),
    )


def _read_quiet_hours(
    step: Step, inbound: Inbound, data: ButtonData | None, ctx: StepContext, selection: list[str]
) -> AnswerReading:
    """A button for a common choice, or quiet hours typed like 21:00-08:00 (or 22.30 to 7.00)."""
    if data or _option_from_text(step, inbound.text, ctx) is not None:
        return _read_choice(step, inbound, data, ctx, selection)
    night = ctx.words.night_range(clean(inbound.text))
    try:
        quiet = parse_quiet_hours(f"{night[0]}-{night[1]}") if night else None
    except ValueError:
        quiet = None
    if quiet is None or quiet.start == quiet.end:
        return AnswerReading(retry_key=step.retry)
    return AnswerReading(value=str(quiet), accepted=True, note=_got_it(ctx, str(quiet)))


_READERS = {
    "text": _read_text,
    "datetime": _read_datetime,
    "number": _read_number,
    "range": _read_range,
    "place": _read_place,
    "choice": _read_choice,
    "multi_choice": _read_multi,
    "passions": _read_passions,
    "age": _read_age,
    "nickname": _read_nickname,
    "area": _read_area,
    "quiet_hours": _read_quiet_hours,
}
