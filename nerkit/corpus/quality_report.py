"""The data-quality report as Markdown: each finding with its count and what
the converter does with it, the strings labelled both ways, examples."""

from pathlib import Path
from typing import Dict, List, Tuple

from wasabi import MarkdownRenderer

from nerkit.corpus.repairs import FragmentEntities


def findings_rows(report: Dict, fragments: str, fragment_entities: FragmentEntities) -> List[Tuple[str, str, str]]:
    """(finding, count, what the converter does) for the findings table."""
    if fragment_entities == FragmentEntities.drop:
        fragment_action = f"dropped (`--fragment-entities drop`: annotation artefacts): {fragments or 'none'}"
    else:
        fragment_action = f"kept (faithful to the annotations): {fragments or 'none'}"
    once = ", ".join(f"`{t}`" for t in report["entity_strings_seen_once"])
    return [
        (
            "line-break fragments (token after `word-`, as in `distribu- tion`)",
            f"{report['line_break_fragments']:,}",
            "kept as two tokens: the annotation is on the fragment",
        ),
        (
            "... of which labelled as an entity",
            str(report["line_break_fragments_labelled_as_entity"]),
            fragment_action,
        ),
        (
            "strings labelled both as an entity and not",
            str(len(report["labelled_both_ways"])),
            "kept; see the table below",
        ),
        ("entity strings seen once", str(len(report["entity_strings_seen_once"])), f"kept: {once}"),
        (
            "tokens with PDF private-use glyphs (U+E000-U+F8FF)",
            f"{report['private_use_tokens']:,} ({report['private_use_distinct_glyphs']} glyphs)",
            "replaced by `■` (`--text normalized`, the default): a transformer's tokenizer keeps a word piece",
        ),
        (
            "tokens with ligatures (`ﬁ`, `ﬀ`, ...)",
            f"{report['ligature_tokens']:,} ({report['ligature_tokens_in_entities']} in entities)",
            "NFKC (`ﬁ` -> `fi`) with `--text normalized`; `--text raw` keeps them",
        ),
        (
            "other tokens that NFKC changes (`µ`, ...)",
            f"{report['other_nfkc_tokens']:,}",
            "NFKC with `--text normalized`",
        ),
        (
            "`I` without an open entity",
            str(report["orphan_i"]),
            "starts a new entity, counted in the conversion report",
        ),
        *(
            [
                (
                    "texts in more than one split (leaks)",
                    str(report["leaks"]["texts_in_several_splits"]),
                    "kept as split: remove them from one split, or the test scores are too good",
                )
            ]
            if "leaks" in report
            else []
        ),
    ]


def to_markdown(report: Dict, source: Path, fragment_entities: FragmentEntities = FragmentEntities.keep) -> str:
    markdown = MarkdownRenderer()
    fragments = ", ".join(f"`{t}` ({c})" for t, c in report["labelled_fragment_strings"].items())
    markdown.add(markdown.title(1, f"Data quality of {markdown.code(str(source))}"))
    markdown.add(
        f"{report['tokens']:,} tokens, {report['entities']:,} entities, "
        f"{report['distinct_entity_strings']} distinct entity strings."
    )
    rows = findings_rows(report, fragments, fragment_entities)
    markdown.add(markdown.table(rows, ("finding", "count", "what the converter does"), aligns=("l", "r", "l")))
    markdown.add(markdown.title(2, "Strings labelled both ways"))
    both = [
        (markdown.code(text), str(c["as_entity"]), str(c["not_entity"]))
        for text, c in report["labelled_both_ways"].items()
    ]
    header = ("string", "as an entity", "not as an entity")
    markdown.add(markdown.table(both or [("(none)", "", "")], header, aligns=("l", "r", "r")))
    markdown.add(markdown.title(2, "Examples"))
    for kind, contexts in report["examples"].items():
        markdown.add(markdown.bold(kind.replace("_", " ")))
        markdown.add(markdown.list(markdown.code(c) for c in contexts))
    leaked = report.get("leaks", {}).get("examples", [])
    if leaked:
        markdown.add(markdown.bold("texts in more than one split"))
        markdown.add(markdown.list(f"{', '.join(leak['splits'])}: {markdown.code(leak['text'])}" for leak in leaked))
    return markdown.text + "\n"
