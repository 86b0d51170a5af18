"""The dialogue as data: messages and flows for one language, checked when loaded."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment

from colbot.content.source import ContentError, SourcedDict, fail, load_yaml, origin_of

STEP_KINDS = frozenset(
    {
        "choice",
        "multi_choice",
        "age",
        "nickname",
        "area",
        "passions",
        "text",
        "datetime",
        "number",
        "range",
        "place",
        "quiet_hours",
    }
)
KINDS_WITH_LIMITS = frozenset({"number", "range", "text"})
KINDS_WITH_OPTIONS = frozenset({"choice", "multi_choice", "quiet_hours"})

_jinja = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


@dataclass(frozen=True)
class Option:
    """One fixed answer to a question, with the words that also mean it."""

    value: str
    label: str
    words: tuple[str, ...] = ()
    ends_with: str | None = None


@dataclass(frozen=True)
class Step:
    """One question in a flow."""

    id: str
    kind: str
    ask: str
    retry: str | None
    skippable: bool
    options: tuple[Option, ...]
    where: str
    minimum: float | None = None
    maximum: float | None = None

    def option(self, value: str) -> Option | None:
        """The option with this value, if there is one."""
        return next((option for option in self.options if option.value == value), None)


@dataclass(frozen=True)
class Flow:
    """An ordered run of questions, such as onboarding."""

    id: str
    intro: tuple[str, ...]
    done: str | None
    steps: tuple[Step, ...]

    def step(self, step_id: str) -> Step | None:
        """The step with this id, if it exists."""
        return next((step for step in self.steps if step.id == step_id), None)

    def after(self, step_id: str) -> Step | None:
        """The step that follows, or None at the end of the flow."""
        ids = [step.id for step in self.steps]
        index = ids.index(step_id)
        return self.steps[index + 1] if index + 1 < len(self.steps) else None


@dataclass(frozen=True)
class Message:
    """One message template and where it was written."""

    key: str
    source: str
    where: str


class Conversations:
    """Everything colbot says in one language, ready to render."""

    def __init__(
        self, language: str, messages: Mapping[str, Message], flows: Mapping[str, Flow]
    ) -> None:
        self.language = language
        self.messages = dict(messages)
        self.flows = dict(flows)
        # Compiled on first use: loading has already checked every message's syntax, and a
        # process renders only some of them.
        self._templates: dict[str, Template] = {}

    def has(self, key: str) -> bool:
        """Whether a message with this key exists."""
        return key in self.messages

    def render(self, key: str, **context: Any) -> str:
        """Fills in a message; a missing variable is an error, never a blank."""
        template = self._templates.get(key)
        if template is None:
            if key not in self.messages:
                raise KeyError(f"no message {key!r} in {self.language}")
            template = self._templates[key] = _jinja.from_string(self.messages[key].source)
        return template.render(**context).strip()

    def flow(self, flow_id: str) -> Flow:
        """A flow by id."""
        return self.flows[flow_id]


def _flatten(data: Any, prefix: str, out: dict[str, Message], path: Path) -> None:
    if not isinstance(data, dict):
        raise ContentError(f"{path}:1: messages must be written as `key: text` pairs")
    for key, value in data.items():
        full_key = f"{prefix}{key}"
        where = str(origin_of(data, key) or path)
        if isinstance(value, dict):
            _flatten(value, f"{full_key}.", out, path)
        elif isinstance(value, str):
            try:
                _jinja.parse(value)
            except TemplateSyntaxError as exc:
                raise fail(data, key, f"message {full_key!r} has a mistake: {exc.message}") from exc
            out[full_key] = Message(full_key, value, where)
        else:
            raise fail(data, key, f"message {full_key!r} must be text")


def _require_message(messages: Mapping[str, Message], key: Any, container: Any, field: Any) -> str:
    if not isinstance(key, str) or key not in messages:
        raise fail(container, field, f"{key!r} is not a message in messages.yaml")
    return key


def _words(item: Any) -> tuple[str, ...]:
    words = item.get("words", [])
    if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
        raise fail(item, "words", "words must be a list of text")
    return tuple(word.casefold() for word in words)


def _options(step: SourcedDict, messages: Mapping[str, Message]) -> tuple[Option, ...]:
    raw = step.get("options")
    if step.get("kind") not in KINDS_WITH_OPTIONS:
        if raw is not None:
            raise fail(step, "options", f"a {step.get('kind')} step does not take options")
        return ()
    if not isinstance(raw, list) or not raw:
        raise fail(step, "options", "a choice needs a list of options")
    options = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("value"), str):
            raise fail(raw, index, "each option needs a value written as text")
        ends_with = item.get("ends_with")
        if ends_with is not None:
            _require_message(messages, ends_with, item, "ends_with")
        options.append(
            Option(
                value=item["value"],
                label=_require_message(messages, item.get("label"), item, "label"),
                words=_words(item),
                ends_with=ends_with,
            )
        )
    values = [option.value for option in options]
    if len(set(values)) != len(values):
        raise fail(step, "options", "two options have the same value")
    return tuple(options)


def _step(raw: Any, index: int, container: Any, messages: Mapping[str, Message]) -> Step:
    if not isinstance(raw, SourcedDict):
        raise fail(container, index, "each step must be a block with id, kind and ask")
    step_id = raw.get("id")
    if not isinstance(step_id, str) or not step_id.isidentifier():
        raise fail(raw, "id", "a step needs an id made of letters, digits and _")
    kind = raw.get("kind")
    if kind not in STEP_KINDS:
        raise fail(raw, "kind", f"kind must be one of {', '.join(sorted(STEP_KINDS))}")
    retry = raw.get("retry")
    if retry is not None:
        _require_message(messages, retry, raw, "retry")
    skippable = raw.get("skippable", True)
    if not isinstance(skippable, bool):
        raise fail(raw, "skippable", "skippable must be true or false")
    limits = {}
    for name in ("min", "max"):
        value = raw.get(name)
        if value is None:
            continue
        if kind not in KINDS_WITH_LIMITS:
            raise fail(raw, name, f"a {kind} step does not take {name}")
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise fail(raw, name, f"{name} must be a number")
        limits[name] = float(value)
    return Step(
        id=step_id,
        kind=kind,
        ask=_require_message(messages, raw.get("ask"), raw, "ask"),
        retry=retry,
        skippable=skippable,
        options=_options(raw, messages),
        where=str(raw.origin),
        minimum=limits.get("min"),
        maximum=limits.get("max"),
    )


def _flow(flow_id: str, raw: Any, flows: Any, messages: Mapping[str, Message]) -> Flow:
    if not isinstance(raw, SourcedDict):
        raise fail(flows, flow_id, "a flow must be a block with steps")
    intro = raw.get("intro", [])
    if not isinstance(intro, list):
        raise fail(raw, "intro", "intro must be a list of message keys")
    for index, key in enumerate(intro):
        _require_message(messages, key, intro, index)
    done = raw.get("done")
    if done is not None:
        _require_message(messages, done, raw, "done")
    steps_raw = raw.get("steps")
    if not isinstance(steps_raw, list) or not steps_raw:
        raise fail(raw, "steps", "a flow needs a list of steps")
    steps = tuple(_step(item, i, steps_raw, messages) for i, item in enumerate(steps_raw))
    seen: set[str] = set()
    for index, step in enumerate(steps):
        if step.id in seen:
            raise fail(steps_raw, index, f"two steps are called {step.id!r}")
        seen.add(step.id)
    return Flow(id=flow_id, intro=tuple(intro), done=done, steps=steps)


def load_conversations(folder: Path) -> Conversations:
    """Loads and checks one language folder; any mistake names its file and line."""
    messages: dict[str, Message] = {}
    messages_path = folder / "messages.yaml"
    if not messages_path.is_file():
        raise ContentError(f"{messages_path}: missing; every language needs its messages")
    _flatten(load_yaml(messages_path), "", messages, messages_path)
    flows_path = folder / "flows.yaml"
    raw_flows = load_yaml(flows_path)
    if not isinstance(raw_flows, dict):
        raise ContentError(f"{flows_path}:1: flows must be written as `name: flow` blocks")
    flows = {
        flow_id: _flow(flow_id, raw, raw_flows, messages) for flow_id, raw in raw_flows.items()
    }
    if "onboarding" not in flows:
        raise ContentError(f"{flows_path}:1: there must be an onboarding flow")
    return Conversations(folder.name, messages, flows)


def available_languages(root: Path) -> list[str]:
    """Every language folder that has messages."""
    return sorted(p.name for p in root.iterdir() if (p / "messages.yaml").is_file())
