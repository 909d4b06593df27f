"""Entities by character offsets: as (start, end, label) spans, the form the
corpus readers check and the evaluation scores; as displaCy's manual format
(start, end, label, text), the records of `annotate` and the answers of
`serve`; and one colour per label for displaCy's pages (`serve`, the error
page of `report`)."""

from typing import Any, Dict, List, Sequence, Set, Tuple

from spacy.tokens import Doc

# (start, end, label): an entity by character offsets into its text
CharSpan = Tuple[int, int, str]

# Errors of the report's page, then one colour per entity label in turn
ERROR_COLORS = {"FP": "#ff6b6b", "FN": "#ffb347"}
LABEL_PALETTE = ("#a6e22d", "#7aecec", "#bfeeb7", "#feca74", "#c887fb", "#9cc9cc", "#ddd", "#e4e7d2")


def char_spans(doc: Doc) -> Set[CharSpan]:
    return {(ent.start_char, ent.end_char, ent.label_) for ent in doc.ents}


def entities(doc: Doc) -> List[Dict[str, Any]]:
    """The document's entities: `{"start", "end", "label", "text"}`."""
    return [{"start": ent.start_char, "end": ent.end_char, "label": ent.label_, "text": ent.text} for ent in doc.ents]


def label_colors(labels: Sequence[str]) -> Dict[str, str]:
    """displaCy's `colors` option: each label its colour (in sorted order, so
    a label keeps its colour on every page), and the error marks."""
    colors = {label: LABEL_PALETTE[i % len(LABEL_PALETTE)] for i, label in enumerate(sorted(labels))}
    return {**colors, **ERROR_COLORS}
