"""nerkit/corpus/quality_report.py: the findings table, the strings labelled
both ways and the examples as Markdown."""

from nerkit.corpus.quality import analyse
from nerkit.corpus.quality_report import to_markdown
from nerkit.corpus.repairs import FragmentEntities
from nerkit.corpus.token_lines import read_columns


def test_markdown_shows_the_findings_table_and_the_strings_labelled_both_ways(tmp_path, write_tsv, quality_rows):
    path = write_tsv(tmp_path / "q.tsv", quality_rows)
    markdown = to_markdown(analyse(read_columns(path), "TERM"), path)
    assert markdown.startswith(f"# Data quality of `{path}`")
    assert "| ... of which labelled as an entity | 1 | kept (faithful to the annotations): `tion` (1) |" in markdown
    dropped = to_markdown(analyse(read_columns(path), "TERM"), path, FragmentEntities.drop)
    assert "| 1 | dropped (`--fragment-entities drop`: annotation artefacts): `tion` (1) |" in dropped
    assert "| `model` | 1 | 1 |" in markdown
    # six tokens of context each side, as in the corpus (glyph and ligature kept)
    assert "- `the distribu- [tion] model and model \ue03e ﬁne-tuning loss`" in markdown
