"""nerkit/corpus/tags.py: every label scheme read as BILUO tags, an IOB
stream of any length converted in linear pieces, and an untyped label
without an entity label refused."""

import pytest

from nerkit.corpus.columns import read_documents
from nerkit.corpus.repairs import Repairs
from nerkit.corpus.tags import LabelScheme, biluo_tags, iob_tags_to_biluo
from nerkit.corpus.token_lines import read_columns
from nerkit.errors import CorpusError


def documents(path, **kwargs):
    return read_documents(path, entity_label="CONCEPT", **kwargs)[0]


def test_iob_becomes_biluo_and_orphan_inside_starts_an_entity_in_long_streams():
    tags = ["B-T", "I-T", "O", "I-T", "I-T", "B-T", "B-T"]
    assert iob_tags_to_biluo(tags) == ["B-T", "L-T", "O", "B-T", "L-T", "U-T", "U-T"]
    # pieces are cut at an "O" only, so an entity at a piece's edge stays whole
    assert iob_tags_to_biluo(tags * 500, chunk=3) == iob_tags_to_biluo(tags) * 500


def test_format_option_overrides_detection(tmp_path):
    path = tmp_path / "iob.tsv"
    path.write_text("k-means\tU-TERM\n", encoding="utf8")
    with pytest.raises(CorpusError, match=r"iob\.tsv:1: BILUO label 'U-TERM' in an IOB file"):
        documents(path, scheme=LabelScheme.iob)
    assert [e.text for d in documents(path, scheme=LabelScheme.biluo) for e in d.ents] == ["k-means"]


def test_untyped_labels_take_the_entity_label_and_without_one_are_refused(tmp_path):
    path = tmp_path / "untyped.tsv"
    path.write_text("the\tO\nmodel\tB\nlearns\tO\n", encoding="utf8")
    stream = read_columns(path)
    assert biluo_tags(stream, "TERM", LabelScheme.auto, Repairs()) == ["O", "U-TERM", "O"]
    with pytest.raises(CorpusError, match=r"untyped\.tsv:2: untyped label 'B': name the entity label"):
        biluo_tags(stream, None, LabelScheme.auto, Repairs())
    typed = tmp_path / "typed.tsv"
    typed.write_text("Paris\tB-LOC\n", encoding="utf8")
    assert biluo_tags(read_columns(typed), None, LabelScheme.auto, Repairs()) == ["U-LOC"]
