"""Entities as displaCy's manual format has them (character offsets into the
text, label, text), and one colour per label: the records of `annotate`, the
answers and the page of `serve`, the error page of `report`."""

from typing import Any, Dict, List, Sequence

from spacy.tokens import Doc

# Errors of the report's page, then one colour per entity label in turn
ERROR_COLORS = {"FP": "#ff6b6b", "FN": "#ffb347"}
LABEL_PALETTE = ("#a6e22d", "#7aecec", "#bfeeb7", "#feca74", "#c887fb", "#9cc9cc", "#ddd", "#e4e7d2")


def entities(doc: Doc) -> List[Dict[str, Any]]:
    """The document's entities: `{"start", "end", "label", "text"}`."""
    return [{"start": ent.start_char, "end": ent.end_char, "label": ent.label_, "text": ent.text} for ent in doc.ents]


def label_colors(labels: Sequence[str]) -> Dict[str, str]:
    """displaCy's `colors` option: each label its colour (in sorted order, so
    a label keeps its colour on every page), and the error marks."""
    colors = {label: LABEL_PALETTE[i % len(LABEL_PALETTE)] for i, label in enumerate(sorted(labels))}
    return {**colors, **ERROR_COLORS}
