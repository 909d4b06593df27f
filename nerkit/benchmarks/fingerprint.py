"""The fingerprint of a workflow run, to show that a change of code changes
no result: the checksums of the DocBins, of the data-quality, raw-text and
prediction files (of their bytes and of their JSON values), the dev score and
losses at every evaluation, the test figures, and the checksum of every file
of each wheel, also with the library's names made neutral (so that a rename
alone shows as such). Two fingerprints compared give each item's verdict."""

import hashlib
import json
import re
import zipfile
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

SPLITS = ("train", "dev", "test")


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def json_md5(data: bytes) -> str:
    """The checksum of a JSON file's values, whatever its layout and escapes,
    less the record of the run that wrote it (its date, commit, ...)."""
    values = json.loads(data)
    if isinstance(values, dict):
        values.pop("record", None)
    return md5(json.dumps(values, sort_keys=True, ensure_ascii=True).encode())


def file_checks(path: Path) -> Optional[Dict[str, str]]:
    """A file's checksum, and that of its JSON values where it is JSON
    (JSONL: line by line); None where there is no such file."""
    if not path.is_file():
        return None
    data = path.read_bytes()
    checks = {"md5": md5(data)}
    if path.suffix == ".json":
        checks["json_md5"] = json_md5(data)
    elif path.suffix == ".jsonl":
        checks["json_md5"] = md5("\n".join(json_md5(line) for line in data.splitlines() if line.strip()).encode())
    return checks


def dev_curve(log_path: Path) -> Optional[List[Dict[str, Any]]]:
    """Step, dev score and losses of each evaluation of a training log (its
    seconds and words left out: they vary from run to run)."""
    if not log_path.is_file():
        return None
    records = [json.loads(line) for line in log_path.read_text(encoding="utf8").splitlines() if line.strip()]
    return [{"step": r["step"], "score": r["score"], "losses": r["losses"]} for r in records]


def test_figures(metrics_dir: Path) -> Dict[str, Any]:
    """spaCy's test F on gold tokens and the (tp, fp, fn) of each raw-text
    score, where the files are there."""
    figures: Dict[str, Any] = {}
    gold = metrics_dir / "test_gold_tokens.json"
    if gold.is_file():
        figures["gold_tokens_f"] = json.loads(gold.read_text())["ents_f"]
    raw = metrics_dir / "test_raw_text.json"
    if raw.is_file():
        scores = json.loads(raw.read_text())["scores"]
        figures["raw_text_tp_fp_fn"] = {name: [s["tp"], s["fp"], s["fn"]] for name, s in scores.items()}
    return figures


def wheel_files(wheel: Path, neutral_names: Sequence[str]) -> Dict[str, Dict[str, str]]:
    """Each file of a wheel by its name in the wheel: its checksum, and
    (where `neutral_names` are given) that of its bytes with those names,
    followed by a dot, replaced by one name."""
    names = re.compile(rb"\b(?:" + b"|".join(re.escape(n.encode()) for n in neutral_names) + rb")\.")
    files = {}
    with zipfile.ZipFile(wheel) as archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            data = archive.read(info)
            entry = {"md5": md5(data)}
            if neutral_names:
                entry["neutral_md5"] = md5(names.sub(b"LIBRARY.", data))
            files[info.filename] = entry
    return files


def fingerprint_run(
    corpus_dir: Path, metrics_dir: Path, log_path: Path, wheels: Dict[str, Path], neutral_names: Sequence[str]
) -> Dict[str, Any]:
    """The fingerprint of what a run left in these places (missing files
    are None)."""
    return {
        "docbins": {split: file_checks(corpus_dir / f"{split}.spacy") for split in SPLITS},
        "data_quality_json": file_checks(metrics_dir.parent / "data_quality.json"),
        "test_raw_text_json": file_checks(metrics_dir / "test_raw_text.json"),
        "test_predictions_jsonl": file_checks(metrics_dir / "test_predictions.jsonl"),
        "dev_curve": dev_curve(log_path),
        "test_figures": test_figures(metrics_dir),
        "wheels": {name: wheel_files(path, neutral_names) for name, path in wheels.items()},
    }


def compare_wheels(before: Dict[str, Dict], after: Dict[str, Dict]) -> Dict[str, Any]:
    """Each wheel: the files of both alike, the files that differ only by the
    neutral names, the files that differ otherwise, and files of one only."""
    verdicts = {}
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name, {}), after.get(name, {})
        common = sorted(set(old) & set(new))
        verdicts[name] = {
            "identical": [f for f in common if old[f]["md5"] == new[f]["md5"]],
            "only_names_differ": [
                f
                for f in common
                if old[f]["md5"] != new[f]["md5"]
                and "neutral_md5" in old[f]
                and old[f]["neutral_md5"] == new[f].get("neutral_md5")
            ],
            "differ": [
                f
                for f in common
                if old[f].get("neutral_md5", old[f]["md5"]) != new[f].get("neutral_md5", new[f]["md5"])
            ],
            "only_before": sorted(set(old) - set(new)),
            "only_after": sorted(set(new) - set(old)),
        }
    return verdicts


def compare_fingerprints(before: Dict[str, Any], after: Dict[str, Any]) -> Dict[str, Any]:
    """Each item's verdict: equal bytes (`md5`), equal JSON values
    (`json_md5`), equal as read; the wheels file by file."""

    def same(key: str, check: str) -> Optional[bool]:
        old, new = before.get(key), after.get(key)
        if old is None or new is None:
            return None
        return old[check] == new[check]

    verdict: Dict[str, Any] = {
        "docbins_bytes": all(before["docbins"][s] == after["docbins"][s] for s in SPLITS),
        "dev_curve": before["dev_curve"] == after["dev_curve"],
        "test_figures": before["test_figures"] == after["test_figures"],
    }
    for key in ("data_quality_json", "test_raw_text_json", "test_predictions_jsonl"):
        verdict[f"{key}_bytes"] = same(key, "md5")
        verdict[f"{key}_values"] = same(key, "json_md5")
    verdict["wheels"] = compare_wheels(before["wheels"], after["wheels"])
    return verdict
