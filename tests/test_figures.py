"""The README's headline figures are those of the JSON they name: each row
of the CPU pipeline's accuracy table is made again here from
benchmarks/cpu_sm_seeds.json (mean over the training seeds, min-max) and
must stand in README.md as it is made."""

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "benchmarks" / "cpu_sm_seeds.json"
# (what the row says, the figure's key in the JSON's `spread`)
ROWS = [
    ("test F, gold tokens (`evaluate`)", "gold_tokens_f"),
    ("test F, raw text as converted (`evaluate-raw`)", "raw_text_f.as_converted"),
    ("test F, raw text sentence-cased", "raw_text_f.sentence_case"),
    ("test F, raw text title-cased", "raw_text_f.title_case"),
    ("test F, raw text upper-cased", "raw_text_f.upper_case"),
    ("test F, raw text NFKC-normalised", "raw_text_f.nfkc"),
    ("test F, raw text with PDF ligatures", "raw_text_f.pdf_ligatures"),
    ("test F, raw text as PDF/web text", "raw_text_f.pdf_web"),
    ("user sentences, F", "raw_text_f.user_sentences"),
    ("PDF/web sentences, F", "raw_text_f.pdf_web_sentences"),
]


def headline_row(label: str, figure: dict) -> str:
    return f"| {label} | **{figure['mean']:.4f}** ({figure['min']:.4f}–{figure['max']:.4f}) |"


def test_the_seeds_json_says_when_where_and_from_what_it_was_measured():
    record = json.loads(SEEDS.read_text(encoding="utf8"))["record"]
    assert record["date"] and record["machine"]["cpu"] and record["commit"] and record["command"]


@pytest.mark.parametrize("label,key", ROWS, ids=[key for _, key in ROWS])
def test_each_headline_row_is_its_figure_in_the_json(label, key):
    spread = json.loads(SEEDS.read_text(encoding="utf8"))["spread"]
    assert headline_row(label, spread[key]) in (ROOT / "README.md").read_text(encoding="utf8")
