"""The values of commands' `NAME=VALUE,...` options, read one way: sentence
sets and corpora by name (`NAME=PATH,...`), named config overrides
(`NAME:section.key=value,...`), a config value written on a command line
(`true`, `0.5`, `[5000,1000]`, a path), read as spaCy's CLI reads it, and a
JSON object (fsspec's storage options)."""

import json
from pathlib import Path
from typing import Any, Dict, List, Sequence

import srsly

from nerkit.errors import OptionError


def split_outside_brackets(text: str) -> List[str]:
    """`text` split at the commas outside brackets (`rows=[5000,1000],x=1`
    is two items); empty items left out."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += {"[": 1, "]": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    return [part for part in [*parts, text[start:]] if part]


def parse_assignments(text: str, expected: str) -> Dict[str, str]:
    """`NAME=VALUE,NAME=VALUE` as {name: value}, names and values stripped;
    an item without `=` is an OptionError saying what was `expected`."""
    assignments = {}
    for item in split_outside_brackets(text):
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise OptionError(f"expected {expected}, got {item!r}")
        assignments[name.strip()] = value.strip()
    return assignments


def parse_named_paths(values: Sequence[str], kind: str) -> Dict[str, Path]:
    """`NAME=PATH` options (repeated, or comma-separated as a project var
    gives them) as {name: path}; each path must be an existing `kind`
    ("file" or "folder")."""
    paths = {}
    for value in values:
        for name, path in parse_assignments(value, f"NAME={kind.upper()}").items():
            exists = Path(path).is_file() if kind == "file" else Path(path).is_dir()
            if not exists:
                raise OptionError(f"expected NAME={kind.upper()} with an existing {kind}, got {name}={path}")
            paths[name] = Path(path)
    return paths


def parse_named_overrides(specs: Sequence[str]) -> Dict[str, Dict[str, str]]:
    """`NAME:section.key=value,...` options as {name: {section.key: value}}
    (a value may be a list: `rows=[5000,1000]`); `NAME:` is the config as
    it is."""
    named = {}
    for spec in specs:
        name, _, settings = spec.partition(":")
        if not name.strip():
            raise OptionError(f"expected NAME:section.key=value,... got {spec!r}")
        named[name.strip()] = parse_assignments(settings, f"section.key=value in the overrides of {name.strip()!r}")
    return named


def config_value(text: str) -> Any:
    """A config value given as text on a command line: JSON where it parses
    (`0`, `true`, `null`, `[1,2]`), else the text itself, as `spacy train
    --section.key value` reads it."""
    try:
        return srsly.json_loads(text)
    except ValueError:
        return str(text)


def json_object(option: str, text: str) -> Dict[str, Any]:
    """An option's JSON object (`{"anon": true}`); anything else is an
    OptionError that names the option."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        raise OptionError(f"{option}: not JSON ({err.msg} at column {err.colno}): {text!r}") from None
    if not isinstance(value, dict):
        raise OptionError(f"{option}: expected a JSON object, got {type(value).__name__}")
    return value
