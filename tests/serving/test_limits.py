"""nerkit/serving/limits.py: each limit named with its value and what was
sent, checked before work that grows with the body; a body that is not the
request named by its first problems."""

import orjson
import pytest

import nerkit.serving.limits as limits_module
from nerkit.serving.limits import (
    MAX_PROBLEMS,
    InvalidRequest,
    LimitExceeded,
    RequestLimits,
    check_texts,
    read_texts,
    separators_outside_strings,
)


def test_texts_within_the_limits_pass_and_the_first_over_one_is_named():
    limits = RequestLimits(max_text_chars=5, max_texts=3, max_total_chars=9, max_body_bytes=100)
    check_texts(["model", ""], limits)
    with pytest.raises(LimitExceeded) as too_many:
        check_texts(["a", "b", "c", "d"], limits)
    assert too_many.value.to_dict() == {
        "error": "texts in the request: 4 over the limit of 3 (max_texts)",
        "limit": "max_texts",
        "maximum": 3,
        "found": 4,
    }
    with pytest.raises(LimitExceeded, match=r"characters in text 1: 6 over the limit of 5 \(max_text_chars\)"):
        check_texts(["ok", "models"], limits)
    with pytest.raises(LimitExceeded, match=r"characters in the request: 10 over the limit of 9 \(max_total_chars\)"):
        check_texts(["model", "model"], limits)


def test_the_count_of_items_is_checked_before_the_body_is_parsed(monkeypatch):
    limits = RequestLimits(max_texts=1_000)
    bomb = b'{"texts": [' + b",".join([b"1"] * 200_000) + b"]}"
    parsed = []
    monkeypatch.setattr(limits_module.orjson, "loads", lambda body: parsed.append(body))
    with pytest.raises(LimitExceeded) as too_many:
        read_texts(bomb, limits)
    assert (too_many.value.limit, too_many.value.found) == ("max_texts", 200_000) and not parsed


def test_commas_inside_the_texts_do_not_count_as_items():
    limits = RequestLimits(max_texts=3)
    body = orjson.dumps({"texts": ["a, b, c, d", 'a "quoted, text", and \\, more', "e"]})
    assert separators_outside_strings(body, at_most=0) == 2
    assert read_texts(body, limits)[1] == 'a "quoted, text", and \\, more'
    with pytest.raises(LimitExceeded, match="4 over the limit of 3"):
        read_texts(orjson.dumps({"texts": ["a,", "b,", "c,", "d,"]}), limits)


def test_a_body_that_is_not_the_request_lists_its_first_problems_and_counts_them_all():
    limits = RequestLimits(max_texts=1_000)
    with pytest.raises(InvalidRequest) as many:
        read_texts(orjson.dumps({"texts": ["ok", *range(500)]}), limits)
    body = many.value.to_dict()
    assert len(body["problems"]) == MAX_PROBLEMS and body["problems_found"] == 500
    assert body["problems"][0] == {"field": "texts.1", "message": "expected a string, got int"}
    cases = {
        b"texts: model": "body",
        b'["model"]': "body",
        b'{"texts": "model"}': "texts",
        b'{"texts": null}': "texts",
        b'{"text": ["model"]}': "texts",
        b'{"texts": ["a \\ud800 model"]}': "body",
        b"[" * 5_000 + b"]" * 5_000: "body",
    }
    for content, field in cases.items():
        with pytest.raises(InvalidRequest) as invalid:
            read_texts(content, limits)
        assert invalid.value.problems[0]["field"] == field, content
    with pytest.raises(InvalidRequest) as extra:
        read_texts(b'{"texts": ["model"], "model": "/etc/passwd"}', limits)
    assert extra.value.problems == [{"field": "model", "message": "not a field of the request"}]
    assert read_texts(b'{"texts": ["a model", ""]}', limits) == ["a model", ""]
