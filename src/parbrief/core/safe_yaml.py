"""The one YAML reader of parbrief: methodologies, params files, catalogues and messages.

``yaml.safe_load`` never runs code, but it still trusts a file's size and shape. A few hundred
bytes of nested aliases (a "billion laughs" file: nine anchors of nine aliases each) stand for
hundreds of millions of values; PyYAML shares them, but the first message or checksum that
prints such a value expands it (37 s and 3.3 GB, then MemoryError). A value nested thousands of
levels deep ends in a RecursionError. So every file is read with limits no real parbrief file
comes near (the largest shipped methodology is 21 KB, about 3,000 values, 8 levels deep), and
a file beyond them is refused with its name and line:

* at most ``MAX_BYTES`` (1 MiB) of text;
* at most ``MAX_VALUES`` (100,000) values, counting every alias as the values it repeats, so
  anchors and aliases stay usable while their expansion is capped;
* at most ``MAX_DEPTH`` (50) levels of nesting;
* no alias inside its own anchor (an endless value), no number too long to read, no key
  given twice in one mapping (PyYAML would keep the last one silently).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from parbrief.core.errors import ParbriefError

MAX_BYTES = 1 << 20
MAX_VALUES = 100_000
MAX_DEPTH = 50


class YamlError(ParbriefError):
    """A YAML file that cannot be read, or is beyond the limits; ``str()`` names file and line."""

    def __init__(self, file: str, problem: str, line: int | None = None,
                 column: int | None = None):
        self.file, self.problem, self.line, self.column = file, problem, line, column
        where = f":{line}:{column}" if line is not None and column is not None else \
            (f":{line}" if line is not None else "")
        super().__init__(f"{file}{where}: {problem}")


class _LimitedLoader(yaml.SafeLoader):
    """``SafeLoader`` counting values (aliases as the values they repeat) and depth while it
    composes the document, before any Python object is built."""

    def __init__(self, stream, file: str):
        super().__init__(stream)
        self.file = file
        self.values = 0
        self.depth = 0
        self.anchor_sizes: dict[str, int] = {}
        self.open_anchors: set[str] = set()

    def refuse(self, mark, problem: str) -> None:
        raise YamlError(self.file, problem, mark.line + 1, mark.column + 1)

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            name = event.anchor
            if name in self.open_anchors:
                self.refuse(event.start_mark, (
                    f"the alias *{name} is used inside its own anchor &{name}, which makes an "
                    "endless value; write the values out instead of using the alias"))
            self.values += self.anchor_sizes.get(name, 0)  # an unknown alias: PyYAML says so
            if self.values > MAX_VALUES:
                self.refuse(event.start_mark, (
                    f"the alias *{name} repeats its anchor's values until the file holds more "
                    f"than {MAX_VALUES:,} values (aliases nested in aliases, as in a \"billion "
                    "laughs\" file); parbrief files need far fewer: write the values out "
                    "instead of using aliases (&name, *name)"))
            return super().compose_node(parent, index)
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.refuse(event.start_mark, (
                f"values nested more than {MAX_DEPTH} levels deep; parbrief files need only a "
                "few levels: check the indentation and the brackets"))
        self.values += 1
        if self.values > MAX_VALUES:
            self.refuse(event.start_mark, (
                f"the file holds more than {MAX_VALUES:,} values; parbrief files need far "
                "fewer: check that this is the right file"))
        name = getattr(event, "anchor", None)
        before = self.values - 1
        if name:
            self.open_anchors.add(name)
        try:
            node = super().compose_node(parent, index)
        finally:
            self.depth -= 1
        if name:
            self.open_anchors.discard(name)
            self.anchor_sizes[name] = self.values - before
        return node

    def construct_mapping(self, node, deep=False):
        # A key given twice keeps only its last value in PyYAML: a params file with two
        # ``periods:`` would silently run the second.
        seen: dict = {}
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                key = (key_node.tag, key_node.value)
                if key in seen:
                    self.refuse(key_node.start_mark, (
                        f"the key {key_node.value!r} is given twice (first on line {seen[key]}); "
                        "keep one of them"))
                seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def loads(text: str, file: str):
    """The value of a YAML document, within the limits above; ``file`` names it in messages."""
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        raise YamlError(file, f"the file is {size:,} bytes; parbrief's YAML files are at most "
                              f"{MAX_BYTES:,} bytes (1 MiB): check that this is the right file")
    loader = _LimitedLoader(text, file)
    try:
        return loader.get_single_data()
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        problem = getattr(e, "problem", None) or str(e)
        raise YamlError(file, f"not valid YAML: {problem}", mark.line + 1 if mark else None,
                        mark.column + 1 if mark else None) from None
    except ValueError:  # an integer of more digits than Python converts (4300)
        raise YamlError(file, "a number has too many digits to be read; write it with fewer "
                              "digits") from None
    finally:
        loader.dispose()


def load_file(path: Path | str, file: str | None = None):
    """Read a YAML file (UTF-8) within the limits; its size is checked before it is read."""
    path = Path(path)
    file = file or str(path)
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise YamlError(file, f"the file is {size:,} bytes; parbrief's YAML files are at most "
                              f"{MAX_BYTES:,} bytes (1 MiB): check that this is the right file")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as e:
        raise YamlError(file, f"not UTF-8 text ({e.reason} at byte {e.start}); save it as "
                              "UTF-8") from None
    return loads(text, file)
