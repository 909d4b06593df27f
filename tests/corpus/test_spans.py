"""nerkit/corpus/spans.py: JSONL with character spans in the shapes that
annotation tools export, tokenized by the pipeline's tokenizer; misaligned
spans by mode; every bad record named by file and line."""

import json

import pytest

from nerkit.corpus.repairs import Repairs
from nerkit.corpus.spans import Misaligned, read_span_documents
from nerkit.errors import CorpusError


def ents(doc):
    return [(e.text, e.label_) for e in doc.ents]


@pytest.mark.parametrize("shape", ["prodigy spans", "doccano label", "entities as lists", "entities as objects"])
def test_each_exported_shape_gives_the_same_entities(tmp_path, shape, span_shapes, write_jsonl):
    (doc,), _ = read_span_documents(write_jsonl(tmp_path / "c.jsonl", [span_shapes[shape]]))
    assert doc.text == span_shapes[shape]["text"]
    assert ents(doc) == [("K-Means", "METHOD"), ("descent", "TERM")]
    assert [t.text for t in doc][:3] == ["We", "fit", "K-Means"]  # the pipeline's tokenizer keeps hyphenated words
    assert [s.text for s in doc.sents] == ["We fit K-Means by gradient descent.", "Then fine-tuning."]


def test_prodigy_records_not_accepted_are_skipped_and_counted(tmp_path, span_shapes, write_jsonl):
    records = [
        {**span_shapes["prodigy spans"], "answer": "accept"},
        {"text": "a model", "spans": [{"start": 2, "end": 7, "label": "TERM"}], "answer": "reject"},
        {"text": "another model", "answer": "ignore"},
        {"text": "no spans at all"},
    ]
    docs, repairs = read_span_documents(write_jsonl(tmp_path / "c.jsonl", records))
    assert [doc.text for doc in docs] == [span_shapes["prodigy spans"]["text"], "no spans at all"] and ents(
        docs[1]
    ) == []
    assert repairs.skipped_answers == {"reject": 1, "ignore": 1}


def test_text_is_normalised_with_entities_kept_and_raw_text_kept_when_asked(tmp_path, write_jsonl):
    path = write_jsonl(tmp_path / "c.jsonl", [{"text": "The ﬁne-tuning step.", "label": [[4, 14, "TERM"]]}])
    (doc,), repairs = read_span_documents(path)
    assert doc.text == "The fine-tuning step." and ents(doc) == [("fine-tuning", "TERM")]
    assert repairs.normalized_tokens == 1
    (raw,), _ = read_span_documents(path, normalize=False)
    assert raw.text == "The ﬁne-tuning step." and ents(raw) == [("ﬁne-tuning", "TERM")]


def test_a_sentence_never_starts_inside_an_entity(tmp_path, write_jsonl):
    text = "We ask Yahoo! Answers. Then we go."
    path = write_jsonl(tmp_path / "c.jsonl", [{"text": text, "spans": [{"start": 7, "end": 21, "label": "ORG"}]}])
    (doc,), _ = read_span_documents(path)
    assert ents(doc) == [("Yahoo! Answers", "ORG")]
    assert [s.text for s in doc.sents] == ["We ask Yahoo! Answers.", "Then we go."]


MISALIGNED = {"text": "A k-means model", "spans": [{"start": 2, "end": 8, "label": "METHOD"}]}


def test_a_misaligned_span_is_an_error_naming_file_line_span_and_text(tmp_path, span_shapes, write_jsonl):
    path = write_jsonl(tmp_path / "c.jsonl", [span_shapes["doccano label"], MISALIGNED])
    with pytest.raises(CorpusError) as error:
        read_span_documents(path)
    message = str(error.value)
    assert message.startswith(f"{path}:2: span 2-8 (METHOD) 'k-mean' does not fall on token edges")
    assert "['k-means']" in message and "--misaligned expand or contract" in message


def test_misaligned_spans_are_expanded_or_contracted_and_counted(tmp_path, write_jsonl):
    path = write_jsonl(tmp_path / "c.jsonl", [MISALIGNED, {"text": "big models here", "label": [[0, 9, "TERM"]]}])
    docs, repairs = read_span_documents(path, misaligned=Misaligned.expand)
    assert [ents(doc) for doc in docs] == [[("k-means", "METHOD")], [("big models", "TERM")]]
    assert repairs.expanded_spans == {"'k-mean' -> 'k-means'": 1, "'big model' -> 'big models'": 1}
    repairs = Repairs()
    path = write_jsonl(tmp_path / "d.jsonl", [{"text": "big models here", "label": [[0, 9, "TERM"]]}])
    (doc,), _ = read_span_documents(path, misaligned=Misaligned.contract, repairs=repairs)
    assert ents(doc) == [("big", "TERM")] and repairs.contracted_spans == {"'big model' -> 'big'": 1}
    with pytest.raises(CorpusError, match=r":1: span 2-8 \(METHOD\) 'k-mean' contracts to nothing"):
        read_span_documents(write_jsonl(tmp_path / "e.jsonl", [MISALIGNED]), misaligned=Misaligned.contract)


BAD_RECORDS = {
    "not JSON": ('{"text": "a model", ', ":2: not JSON"),
    "not an object": ('["a model"]', ":2: expected a JSON object, found list"),
    "no text": ('{"spans": []}', ':2: expected the text as a string under "text"'),
    "text not a string": ('{"text": 3}', ':2: expected the text as a string under "text"'),
    "two span keys": ('{"text": "a model", "spans": [], "label": []}', ":2: entities under both 'spans' and 'label'"),
    "spans not a list": ('{"text": "a model", "label": "POSITIVE"}', ":2: 'label' must be a list of spans, found str"),
    "span not a triple": ('{"text": "a model", "label": [[2, 7]]}', ":2: a span must be [start, end, label]"),
    "offset not an int": ('{"text": "a model", "label": [[2, "7", "TERM"]]}', ":2: span offsets must be integers"),
    "offset a bool": ('{"text": "a model", "label": [[true, 7, "TERM"]]}', ":2: span offsets must be integers"),
    "label not a string": ('{"text": "a model", "label": [[2, 7, 5]]}', ":2: span label must be a non-empty string"),
    "label empty": ('{"text": "a model", "label": [[2, 7, " "]]}', ":2: span label must be a non-empty string"),
    "outside the text": (
        '{"text": "a model", "label": [[2, 9, "TERM"]]}',
        ":2: span 2-9 (TERM) is outside the text of 7",
    ),
    "negative start": ('{"text": "a model", "label": [[-1, 3, "TERM"]]}', ":2: span -1-3 (TERM) is outside the text"),
    "empty span": ('{"text": "a model", "label": [[2, 2, "TERM"]]}', ":2: span 2-2 (TERM) is empty"),
    "whitespace-edged": (
        '{"text": "a model", "label": [[1, 7, "TERM"]]}',
        ":2: span 1-7 (TERM) ' model' starts or ends with a space",
    ),
    "overlapping": (
        '{"text": "a big model", "label": [[2, 11, "TERM"], [6, 11, "TERM"]]}',
        ":2: spans 2-11 (TERM) 'big model' and 6-11 (TERM) 'model' overlap",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_RECORDS))
def test_a_bad_record_is_an_error_naming_file_and_line(tmp_path, case, span_shapes):
    line, expected = BAD_RECORDS[case]
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps(span_shapes["doccano label"]) + "\n" + line + "\n", encoding="utf8")
    with pytest.raises(CorpusError) as error:
        read_span_documents(path)
    assert str(error.value).startswith(f"{path}{expected}"), str(error.value)


def test_spans_that_overlap_once_expanded_are_an_error(tmp_path, write_jsonl):
    path = write_jsonl(tmp_path / "c.jsonl", [{"text": "A k-means model", "label": [[2, 5, "A"], [6, 9, "B"]]}])
    with pytest.raises(CorpusError, match=":1: spans overlap once aligned to tokens"):
        read_span_documents(path, misaligned=Misaligned.expand)


def test_a_file_without_an_accepted_record_is_an_error(tmp_path, write_jsonl):
    path = write_jsonl(tmp_path / "c.jsonl", [{"text": "a model", "answer": "reject"}])
    with pytest.raises(CorpusError, match=":0: no accepted records"):
        read_span_documents(path)
