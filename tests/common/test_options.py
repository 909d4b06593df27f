"""nerkit/common/options.py: NAME=VALUE options read one way: named files
and folders, named config overrides (a list keeps its commas), and config
values as spaCy's command line reads them."""

import pytest

from nerkit.common.options import (
    config_value,
    json_object,
    parse_assignments,
    parse_named_overrides,
    parse_named_paths,
    split_outside_brackets,
)
from nerkit.errors import OptionError


def test_commas_inside_brackets_belong_to_their_value():
    assert split_outside_brackets("rows=[5000,1000],x=1,,") == ["rows=[5000,1000]", "x=1"]
    assert parse_assignments(" a = 1 ,b=[2,3]", "NAME=VALUE") == {"a": "1", "b": "[2,3]"}
    with pytest.raises(OptionError, match="expected NAME=VALUE, got 'c'"):
        parse_assignments("a=1,c", "NAME=VALUE")


def test_named_files_and_folders_must_exist_repeated_or_comma_separated(tmp_path):
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text("")
    second.write_text("")
    assert parse_named_paths([f"a={first},b={second}"], "file") == {"a": first, "b": second}
    assert parse_named_paths([f"a={first}", f"b={second}"], "file") == {"a": first, "b": second}
    assert parse_named_paths([""], "file") == {}
    assert parse_named_paths([f"c={tmp_path},"], "folder") == {"c": tmp_path}
    for values, kind in (([str(first)], "file"), ([f"a={tmp_path / 'missing'}"], "file"), ([f"a={first}"], "folder")):
        with pytest.raises(OptionError, match=f"expected NAME={kind.upper()}"):
            parse_named_paths(values, kind)


def test_named_overrides_keep_their_order_and_a_list_its_commas():
    named = parse_named_overrides(
        ["base:", "narrow: components.tok2vec.model.encode.width = 32 ,training.max_steps=6", "small:rows=[5,1]"]
    )
    assert list(named) == ["base", "narrow", "small"]
    assert named["base"] == {} and named["small"] == {"rows": "[5,1]"}
    assert named["narrow"] == {"components.tok2vec.model.encode.width": "32", "training.max_steps": "6"}
    with pytest.raises(OptionError, match=r"the overrides of 'narrow', got 'width'"):
        parse_named_overrides(["narrow:width"])
    with pytest.raises(OptionError, match="expected NAME:section.key=value"):
        parse_named_overrides([":width=1"])


def test_config_values_are_json_where_they_parse_and_text_otherwise():
    assert [config_value(v) for v in ("0", "0.5", "true", "null", "[1,2]")] == [0, 0.5, True, None, [1, 2]]
    assert config_value("corpus/train.spacy") == "corpus/train.spacy"


def test_a_json_object_option_is_read_and_anything_else_is_named():
    assert json_object("--storage-options", '{"anon": true, "client_kwargs": {}}') == {
        "anon": True,
        "client_kwargs": {},
    }
    with pytest.raises(OptionError, match=r"--storage-options: not JSON \(Expecting value at column 1\): 'anon'"):
        json_object("--storage-options", "anon")
    with pytest.raises(OptionError, match="--storage-options: expected a JSON object, got str"):
        json_object("--storage-options", '"anon"')
