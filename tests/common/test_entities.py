"""nerkit/common/entities.py: entities as character spans and in displaCy's
manual format, one colour per label."""

from spacy.tokens import Doc, Span

from nerkit.common.entities import ERROR_COLORS, char_spans, entities, label_colors


def test_entities_are_character_offsets_into_the_text(hyphen_nlp):
    nlp = hyphen_nlp()
    doc = Doc(
        nlp.vocab, words=["We", "ran", "K-Means", "on", "Paris", "."], spaces=[True, True, True, True, False, False]
    )
    doc.ents = [Span(doc, 2, 3, "TERM"), Span(doc, 4, 5, "LOC")]
    records = entities(doc)
    assert records == [
        {"start": 7, "end": 14, "label": "TERM", "text": "K-Means"},
        {"start": 18, "end": 23, "label": "LOC", "text": "Paris"},
    ]
    assert all(doc.text[r["start"] : r["end"]] == r["text"] for r in records)
    assert char_spans(doc) == {(7, 14, "TERM"), (18, 23, "LOC")}


def test_each_label_keeps_its_colour_whatever_the_order():
    colors = label_colors(["TERM", "LOC"])
    assert colors == label_colors(["LOC", "TERM"]) and colors["LOC"] != colors["TERM"]
    assert {k: colors[k] for k in ERROR_COLORS} == ERROR_COLORS
