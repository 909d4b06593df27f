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


@pytest.fixture(scope="session")
def quality_rows():
    """A hand-made untyped corpus with one of each data-quality finding."""
    return [
        ("the", "O"),
        ("distribu-", "O"),
        ("tion", "B"),  # a line-break fragment labelled as an entity
        ("model", "B"),
        ("and", "O"),
        ("model", "O"),  # the same string outside any entity
        ("\ue03e", "O"),
        ("ﬁne-tuning", "B"),
        ("loss", "I"),
        ("µ", "O"),
        ("work", "I"),  # an I with no open entity
        ("distribution", "O"),  # the fragment's joined word: a confirmed line break
    ]
