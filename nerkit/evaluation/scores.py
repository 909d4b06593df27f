"""Predicted against gold entities by character offsets (exact start, end
and label), overall and per label, with spaCy's PRFScore."""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Dict, Set

from spacy.scorer import PRFScore

from nerkit.common.entities import CharSpan


def prf_dict(score: PRFScore) -> Dict[str, float]:
    return {"p": score.precision, "r": score.recall, "f": score.fscore, "tp": score.tp, "fp": score.fp, "fn": score.fn}


@dataclass
class SpanScores:
    """Predicted against gold entities (character spans with their label),
    overall and per label."""

    overall: PRFScore = field(default_factory=PRFScore)
    per_label: Dict[str, PRFScore] = field(default_factory=lambda: defaultdict(PRFScore))

    def add(self, gold: Set[CharSpan], pred: Set[CharSpan]) -> None:
        self.overall.score_set(pred, gold)
        for label in {span[2] for span in gold | pred}:
            self.per_label[label].score_set({s for s in pred if s[2] == label}, {s for s in gold if s[2] == label})

    def to_dict(self) -> Dict[str, Any]:
        return {**prf_dict(self.overall), "per_label": {k: prf_dict(v) for k, v in sorted(self.per_label.items())}}
