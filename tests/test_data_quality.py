from conftest import write_tsv
from corpus_columns import FragmentEntities, read_columns
from data_quality import analyse, to_markdown

ROWS = [
    ("the", "O"),
    ("distribu-", "O"),
    ("tion", "B"),  # a line-break fragment labelled as a term
    ("model", "B"),
    ("and", "O"),
    ("model", "O"),  # the same string outside any entity
    ("\ue03e", "O"),
    ("ﬁne-tuning", "B"),
    ("loss", "I"),
    ("µ", "O"),
    ("work", "I"),  # an I with no open entity
]


def test_analysis_counts_each_finding_of_a_hand_made_corpus(tmp_path):
    report = analyse(read_columns(write_tsv(tmp_path / "q.tsv", ROWS)))
    assert (report["tokens"], report["entities"]) == (11, 4)
    assert report["entity_strings"] == {"tion": 1, "model": 1, "ﬁne-tuning loss": 1, "work": 1}
    assert (report["line_break_fragments"], report["line_break_fragments_labelled_as_term"]) == (1, 1)
    assert report["labelled_both_ways"] == {"model": {"as_term": 1, "not_term": 1}}
    assert (report["private_use_tokens"], report["private_use_distinct_glyphs"]) == (1, 1)
    assert (report["ligature_tokens"], report["ligature_tokens_in_entities"]) == (1, 1)
    assert report["other_nfkc_tokens"] == 1  # µ
    assert report["orphan_i"] == 1


def test_markdown_shows_the_findings_table_and_the_strings_labelled_both_ways(tmp_path):
    path = write_tsv(tmp_path / "q.tsv", ROWS)
    markdown = to_markdown(analyse(read_columns(path)), path)
    assert markdown.startswith(f"# Data quality of `{path}`")
    assert "| ... of which labelled as a term | 1 | kept (faithful to the annotations): `tion` (1) |" in markdown
    dropped = to_markdown(analyse(read_columns(path)), path, FragmentEntities.drop)
    assert "| 1 | dropped (`--fragment-entities drop`: annotation artefacts): `tion` (1) |" in dropped
    assert "| `model` | 1 | 1 |" in markdown
    # six tokens of context each side, as in the corpus (glyph and ligature kept)
    assert "- `the distribu- [tion] model and model \ue03e ﬁne-tuning loss`" in markdown
