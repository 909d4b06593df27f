"""The dictionary baseline of the report: every entity string of the
training split, matched case-insensitively, with its label there."""

from typing import Any, Dict, List, Sequence

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from nerkit.common.entities import char_spans
from nerkit.corpus.documents import bare_tokens

# raw_text.evaluate_raw_text's records: the text, its gold and predicted entities
Record = Dict[str, Any]


class DictionaryBaseline:
    """Tags every case-insensitive occurrence of an entity string of the
    training split with its label there (longest match wins)."""

    def __init__(self, nlp: Language, train_docs: Sequence[Doc]):
        self.strings: Dict[str, str] = {}
        for doc in train_docs:
            for ent in doc.ents:
                self.strings.setdefault(ent.text.lower(), ent.label_)
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        for text, label in sorted(self.strings.items()):
            self.matcher.add(label, [nlp.make_doc(text)])

    def __call__(self, doc: Doc) -> Doc:
        spans = [Span(doc, start, end, label=match_id) for match_id, start, end in self.matcher(doc)]
        doc.ents = filter_spans(spans)
        return doc


def records_of(gold_docs: Sequence[Doc], pred_docs: Sequence[Doc]) -> List[Record]:
    return [
        {"text": gold.text, "gold": sorted(char_spans(gold)), "predicted": sorted(char_spans(pred))}
        for gold, pred in zip(gold_docs, pred_docs, strict=True)
    ]


def baseline_records(nlp: Language, baseline: DictionaryBaseline, gold_docs: Sequence[Doc]) -> Dict[str, List[Record]]:
    """The baseline's entities on the corpus's own tokens and on raw text."""
    gold_tokens = [bare_tokens(doc, nlp.vocab) for doc in gold_docs]
    return {
        "gold_tokens": records_of(gold_docs, [baseline(doc) for doc in gold_tokens]),
        "raw_text": records_of(gold_docs, [baseline(nlp.make_doc(doc.text)) for doc in gold_docs]),
    }
