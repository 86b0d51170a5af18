"""YAML files that remember where each value came from, so content errors name file and line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


class ContentError(ValueError):
    """A content file is wrong; the message starts with `file:line`."""


class SourcedDict(dict[str, Any]):
    """A mapping read from YAML that knows the line of itself and of each key."""

    origin: Origin
    key_lines: dict[str, int]


class SourcedList(list[Any]):
    """A sequence read from YAML that knows its line and the line of each item."""

    origin: Origin
    item_lines: list[int]


@dataclass(frozen=True)
class Origin:
    """A place in a content file."""

    path: Path
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"

    def error(self, message: str) -> ContentError:
        """Builds an error that points at this place."""
        return ContentError(f"{self}: {message}")


# libyaml's parser (shipped in PyYAML's wheels) reads the content about ten times faster.
_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _SourcedLoader(_SafeLoader):
    """A safe loader that keeps line numbers on mappings and sequences."""

    source_path: Path

    def construct_sourced_mapping(self, node: yaml.MappingNode) -> SourcedDict:
        result = SourcedDict()
        result.origin = Origin(self.source_path, node.start_mark.line + 1)
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, bool):
                raise ContentError(
                    f"{self.source_path}:{key_node.start_mark.line + 1}: put the key "
                    f"{key_node.value!r} in quotes, or YAML reads it as {key}"
                )
            if not isinstance(key, str):
                key = str(key)
            if key in result:
                raise ContentError(
                    f"{self.source_path}:{key_node.start_mark.line + 1}: "
                    f"'{key}' appears twice in the same block"
                )
            result[key] = self.construct_object(value_node, deep=True)
            result.key_lines[key] = key_node.start_mark.line + 1
        return result

    def construct_sourced_sequence(self, node: yaml.SequenceNode) -> SourcedList:
        result = SourcedList(self.construct_object(child, deep=True) for child in node.value)
        result.origin = Origin(self.source_path, node.start_mark.line + 1)
        result.item_lines = [child.start_mark.line + 1 for child in node.value]
        return result


def _mapping(loader: Any, node: yaml.Node) -> SourcedDict:
    assert isinstance(loader, _SourcedLoader) and isinstance(node, yaml.MappingNode)
    return loader.construct_sourced_mapping(node)


def _sequence(loader: Any, node: yaml.Node) -> SourcedList:
    assert isinstance(loader, _SourcedLoader) and isinstance(node, yaml.SequenceNode)
    return loader.construct_sourced_sequence(node)


_SourcedLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_SourcedLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def load_yaml(path: Path) -> Any:
    """Reads one YAML file, turning syntax errors into `file:line` content errors."""
    text = path.read_text(encoding="utf-8")
    loader = _SourcedLoader(text)
    loader.source_path = path
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise ContentError(f"{path}:{line}: {exc.problem or exc}") from exc
    finally:
        loader.dispose()


def origin_of(value: Any, key: str | int | None = None) -> Origin | None:
    """Says where a loaded mapping, list, key or item was written, if known."""
    if isinstance(value, SourcedDict):
        if isinstance(key, str) and key in value.key_lines:
            return Origin(value.origin.path, value.key_lines[key])
        return value.origin
    if isinstance(value, SourcedList):
        if isinstance(key, int) and 0 <= key < len(value.item_lines):
            return Origin(value.origin.path, value.item_lines[key])
        return value.origin
    return None


def fail(container: Any, key: str | int | None, message: str) -> ContentError:
    """Builds a content error located at a key or item of a loaded container."""
    origin = origin_of(container, key)
    return ContentError(f"{origin}: {message}" if origin else message)
