"""Fixtures of the corpus tests: one annotated text in each JSONL shape
that annotation tools export."""

import pytest

SPAN_TEXT = "We fit K-Means by gradient descent. Then fine-tuning."


@pytest.fixture(scope="session")
def span_shapes():
    """The same two entities (K-Means METHOD, descent TERM) of one text, as
    Prodigy `spans`, doccano `label`, and `entities` as lists or objects."""
    return {
        "prodigy spans": {
            "text": SPAN_TEXT,
            "spans": [{"start": 7, "end": 14, "label": "METHOD"}, {"start": 27, "end": 34, "label": "TERM"}],
        },
        "doccano label": {"text": SPAN_TEXT, "label": [[27, 34, "TERM"], [7, 14, "METHOD"]]},
        "entities as lists": {"text": SPAN_TEXT, "entities": [[7, 14, "METHOD"], [27, 34, "TERM"]]},
        "entities as objects": {
            "text": SPAN_TEXT,
            "entities": [
                {"id": 1, "label": "METHOD", "start_offset": 7, "end_offset": 14},
                {"id": 2, "label": "TERM", "start_offset": 27, "end_offset": 34},
            ],
        },
    }
