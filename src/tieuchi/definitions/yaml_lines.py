"""YAML loading that remembers the line of every key and list item, within limits.

A YAML file is read only up to :data:`MAX_BYTES`; its aliases (``*name``, which repeat an
anchored value) are counted as the parser meets them, and refused past :data:`MAX_ALIASES`;
nesting deeper than :data:`MAX_DEPTH` is refused; and before any value is built, the size of
the document with every alias written out is computed (each node once) and refused past
:data:`MAX_EXPANDED`: a 700-byte chain of aliases ("billion laughs") that would expand to
gigabytes stops here, at its line, in milliseconds. Each refusal is a :class:`YamlLimitError`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

__all__ = ["LineDict", "LineList", "load_yaml", "read_yaml", "line_of", "YamlLimitError",
           "MAX_BYTES", "MAX_ALIASES", "MAX_DEPTH", "MAX_EXPANDED"]

MAX_BYTES = 8 * 2**20  # a definition file; bulk figures go in CSV files
MAX_ALIASES = 1000
MAX_DEPTH = 100
MAX_EXPANDED = MAX_BYTES  # characters, with every alias written out


class YamlLimitError(yaml.MarkedYAMLError):
    """A YAML file over a limit: ``problem`` says which and how to fix it, ``problem_mark``
    where (None for the whole file)."""

    def __init__(self, problem: str, mark: yaml.Mark | None = None) -> None:
        super().__init__(problem=problem, problem_mark=mark)

    @property
    def line(self) -> int | None:
        return self.problem_mark.line + 1 if self.problem_mark is not None else None

    def __str__(self) -> str:
        return str(self.problem)


class LineDict(dict[Any, Any]):
    """A mapping from YAML, with ``line`` (its first line) and ``lines`` (each key's line)."""

    line: int = 0
    lines: dict[Any, int]


class LineList(list[Any]):
    line: int = 0
    lines: list[int]


class _Loader(yaml.SafeLoader):
    """The safe loader, counting aliases and depth as the document is composed."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.aliases = 0
        self.depth = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        if self.check_event(AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                raise YamlLimitError(f"more than {MAX_ALIASES} aliases (*name) in one file; "
                                     "write the values out or split the file", self._here())
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise YamlLimitError(f"nested more than {MAX_DEPTH} levels deep; a "
                                     "definition is a few levels of mappings and lists",
                                     self._here())
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def _here(self) -> yaml.Mark:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        return event.start_mark  # type: ignore[no-any-return]


def _mapping(loader: _Loader, node: MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    out = LineDict()
    out.line = node.start_mark.line + 1
    out.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, (int, float, bool)):
            key = key_node.value  # "2023:", "1:" and "yes:" are names, not values
        if key in out:
            raise yaml.constructor.ConstructorError(
                None, None, f"'{key}' is given twice in this mapping; keep one",
                key_node.start_mark)
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = key_node.start_mark.line + 1
    return out


def _sequence(loader: _Loader, node: SequenceNode) -> LineList:
    out = LineList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.lines = [child.start_mark.line + 1 for child in node.value]
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def read_yaml(path: Path) -> str:
    """The text of a YAML file, refused (:class:`YamlLimitError`) when larger than
    :data:`MAX_BYTES`, before it is read."""
    if path.stat().st_size > MAX_BYTES:
        raise YamlLimitError(_too_large())
    return path.read_text(encoding="utf-8")


def _too_large() -> str:
    return (f"the file is larger than {MAX_BYTES // 2**20} MB; split it, and put bulk "
            "figures in CSV files")


def load_yaml(text: str) -> Any:
    """Parse one YAML document; mappings and lists come back with their line numbers.
    Raises :class:`YamlLimitError` for a document over a limit, :class:`yaml.YAMLError` for
    one that cannot be parsed."""
    if len(text) > MAX_BYTES:
        raise YamlLimitError(_too_large())
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expanded(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


def _check_expanded(root: Node) -> None:
    """Refuse a document whose aliases, written out, make it longer than
    :data:`MAX_EXPANDED` characters, or that contains itself; each node is visited once."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            open_nodes.discard(key)
            own = len(node.value) + 1 if isinstance(node, ScalarNode) else 1
            sizes[key] = own + sum(sizes[id(child)] for child in _children(node))
            if sizes[key] > MAX_EXPANDED:
                raise YamlLimitError(
                    f"with its aliases (*name) written out, this value is longer than "
                    f"{MAX_EXPANDED // 2**20} MB; write the values out or use fewer aliases",
                    node.start_mark)
            continue
        if key in sizes:
            continue
        if key in open_nodes:
            raise YamlLimitError("an alias (*name) refers to the value that contains it; "
                                 "a definition cannot contain itself", node.start_mark)
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)


def line_of(data: Any, loc: tuple[str | int, ...], default: int) -> int:
    """The line of the deepest element of ``loc`` found in ``data``."""
    line = getattr(data, "line", default) or default
    node = data
    for part in loc:
        if isinstance(node, LineDict) and part in node:
            line = node.lines.get(part, line)
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node):
            line = node.lines[part]
            node = node[part]
        # else: a union branch name or a field the data lacks: stay at the last line found
    return line
