"""The limits of `serve` and the reading of a request's texts within them.

Every limit is checked before work that grows with the body: the bytes of a
body as they arrive, then (once orjson has parsed it, in C) the number of
texts before any text is looked at, then each text's characters and their
sum. Over a limit the answer is 413 with the limit's name, its value and
what was sent; a body that is not the request is 422 with at most
MAX_PROBLEMS problems, each naming its field. The body itself is read,
within its limit and the server's buffer, by bodies.py."""

import re
from dataclasses import dataclass
from typing import Any, Dict, List

import orjson

# problems listed in a 422 (the count of all of them is given beside)
MAX_PROBLEMS = 10
# a JSON string literal (escapes included), unrolled so that re runs it in one pass
STRING_LITERAL = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')


@dataclass(frozen=True)
class RequestLimits:
    """What one request may hold (the defaults are `serve`'s)."""

    max_text_chars: int = 100_000
    max_texts: int = 1_000
    max_total_chars: int = 10_000_000
    max_body_bytes: int = 10_000_000
    # a refused body is read and dropped up to these bounds, then the
    # connection is closed
    max_drain_bytes: int = 64_000_000
    max_drain_seconds: float = 5.0
    # bodies held across all requests at once, then 503
    max_buffered_bytes: int = 256_000_000


class LimitExceeded(Exception):
    def __init__(self, limit: str, maximum: int, found: int, what: str):
        self.limit, self.maximum, self.found = limit, maximum, found
        self.message = f"{what}: {found:,} over the limit of {maximum:,} ({limit})"
        super().__init__(self.message)

    def to_dict(self) -> Dict[str, Any]:
        return {"error": self.message, "limit": self.limit, "maximum": self.maximum, "found": self.found}


class InvalidRequest(Exception):
    """A body that is not `{"texts": [str, ...]}`: its first problems, each
    `{"field", "message"}`, and how many there were."""

    def __init__(self, problems: List[Dict[str, str]], found: int = 0):
        self.problems = problems[:MAX_PROBLEMS]
        self.found = max(found, len(problems))
        super().__init__("; ".join(f"{p['field']}: {p['message']}" for p in self.problems))

    def to_dict(self) -> Dict[str, Any]:
        return {"error": "invalid request", "problems": self.problems, "problems_found": self.found}


def check_texts(texts: List[str], limits: RequestLimits) -> None:
    """The count of texts first, then each text's characters and their sum."""
    if len(texts) > limits.max_texts:
        raise LimitExceeded("max_texts", limits.max_texts, len(texts), "texts in the request")
    total = 0
    for i, text in enumerate(texts):
        if len(text) > limits.max_text_chars:
            raise LimitExceeded("max_text_chars", limits.max_text_chars, len(text), f"characters in text {i}")
        total += len(text)
    if total > limits.max_total_chars:
        raise LimitExceeded("max_total_chars", limits.max_total_chars, total, "characters in the request")


def separators_outside_strings(body: bytes, at_most: int) -> int:
    """The commas of `body` outside its string literals, counted in C; the
    cheap count of every comma where that is already at most `at_most`."""
    commas = body.count(b",")
    if commas <= at_most:
        return commas
    return STRING_LITERAL.sub(b"", body).count(b",")


def read_texts(body: bytes, limits: RequestLimits) -> List[str]:
    """The texts of an `/ents` body, or InvalidRequest / LimitExceeded. The
    count of items is checked before the body is parsed: a request
    `{"texts": [...]}` of N strings has N - 1 commas outside its strings, so
    a body with `max_texts` or more of them holds too many texts (or is not
    the request, and would be refused anyway) and is refused without
    building its millions of items."""
    separators = separators_outside_strings(body, limits.max_texts - 1)
    if separators >= limits.max_texts:
        raise LimitExceeded("max_texts", limits.max_texts, separators + 1, "items in the request, by their commas")
    try:
        request = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise InvalidRequest([{"field": "body", "message": f"not JSON: {error}"}]) from None
    if not isinstance(request, dict):
        raise InvalidRequest([{"field": "body", "message": 'expected an object {"texts": [...]}'}])
    extra = [key for key in request if key != "texts"]
    problems = [{"field": str(key)[:100], "message": "not a field of the request"} for key in extra[:MAX_PROBLEMS]]
    if "texts" not in request:
        raise InvalidRequest([{"field": "texts", "message": "missing"}, *problems], 1 + len(extra))
    texts = request["texts"]
    if not isinstance(texts, list):
        problems.insert(0, {"field": "texts", "message": f"expected a list of strings, got {_type_name(texts)}"})
        raise InvalidRequest(problems, 1 + len(extra))
    if len(texts) > limits.max_texts:
        raise LimitExceeded("max_texts", limits.max_texts, len(texts), "texts in the request")
    not_strings = [i for i, text in enumerate(texts) if not isinstance(text, str)]
    if problems or not_strings:
        problems += [
            {"field": f"texts.{i}", "message": f"expected a string, got {_type_name(texts[i])}"}
            for i in not_strings[:MAX_PROBLEMS]
        ]
        raise InvalidRequest(problems, len(extra) + len(not_strings))
    check_texts(texts, limits)
    return texts


def _type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__
