"""nerkit/benchmarks/fingerprint.py: a run's files fingerprinted by their
bytes and their JSON values, its dev curve without its timings, the files of
a wheel with and without the library's names; two fingerprints compared."""

import json
import zipfile

from nerkit.benchmarks.fingerprint import compare_fingerprints, fingerprint_run


def write_run(root, name="nerkit", score=0.5, escaped=False):
    """A run's files as the workflow leaves them, with a wheel whose config
    names `name`'s functions."""
    (root / "corpus").mkdir(parents=True)
    for split in ("train", "dev", "test"):
        (root / "corpus" / f"{split}.spacy").write_bytes(split.encode())
    metrics = root / "metrics" / "sm"
    metrics.mkdir(parents=True)
    (root / "metrics" / "data_quality.json").write_text(json.dumps({"tokens": 3}))
    raw = {"scores": {"as_converted": {"tp": 2, "fp": 0, "fn": 1, "text": "café"}}}
    (metrics / "test_raw_text.json").write_text(json.dumps(raw, ensure_ascii=escaped))
    (metrics / "test_gold_tokens.json").write_text(json.dumps({"ents_f": score}))
    (metrics / "test_predictions.jsonl").write_text('{"text": "a"}\n')
    log = [{"step": 0, "score": score, "losses": {"ner": 1.0}, "seconds": 3.0 if escaped else 4.0, "words": 10}]
    (root / "log.jsonl").write_text("".join(json.dumps(r) + "\n" for r in log))
    wheel = root / "pkg.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("pkg/config.cfg", f'@tokenizers = "{name}.normalizing_tokenizer.v1"\n')
        archive.writestr("pkg/ner/model", b"\x00weights")
        archive.writestr("pkg/code.py", f"import {name}.pipeline_functions  # version {score}\n")
    return fingerprint_run(root / "corpus", metrics, root / "log.jsonl", {"sm": wheel}, ["dlbook", "nerkit"])


def test_a_rename_shows_as_names_only_and_escapes_as_equal_values(tmp_path):
    before = write_run(tmp_path / "before", "dlbook", escaped=True)
    after = write_run(tmp_path / "after", "nerkit")
    verdict = compare_fingerprints(before, after)
    assert verdict["docbins_bytes"] and verdict["dev_curve"] and verdict["test_figures"]  # seconds left out
    assert verdict["test_raw_text_json_bytes"] is False and verdict["test_raw_text_json_values"] is True
    assert verdict["data_quality_json_bytes"] and verdict["test_predictions_jsonl_bytes"]
    wheel = verdict["wheels"]["sm"]
    assert wheel["identical"] == ["pkg/ner/model"]
    assert wheel["only_names_differ"] == ["pkg/code.py", "pkg/config.cfg"] and wheel["differ"] == []
    assert before["test_figures"] == {"gold_tokens_f": 0.5, "raw_text_tp_fp_fn": {"as_converted": [2, 0, 1]}}


def test_another_score_shows_in_the_curve_the_figures_and_the_files(tmp_path):
    verdict = compare_fingerprints(write_run(tmp_path / "a"), write_run(tmp_path / "b", score=0.75))
    assert not verdict["dev_curve"] and not verdict["test_figures"]
    assert verdict["wheels"]["sm"]["differ"] == ["pkg/code.py"]
    missing = fingerprint_run(tmp_path / "none", tmp_path / "none", tmp_path / "none.jsonl", {}, [])
    assert missing["dev_curve"] is None and missing["test_raw_text_json"] is None and missing["wheels"] == {}
