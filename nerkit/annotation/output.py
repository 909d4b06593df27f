"""The output folder of an annotation run: one part file per shard, written
whole and flushed to disk (so a rerun skips the finished ones), a record of
each shard beside it (its source lines, the digest of its input bytes, its
bad lines), errors.jsonl gathered from them, and a manifest a rerun must
match. Nothing outside the names a run writes is ever deleted."""

import json
import re
import shutil
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

from nerkit.annotation.collection import Shard
from nerkit.common.atomic_files import write_json, write_lines
from nerkit.errors import NerkitError

SHARDS_DIR = "shards"
MANIFEST = "manifest.json"
ERRORS = "errors.jsonl"
# the names of the parts a run writes
PART = re.compile(r"part-[0-9a-f]{12}-\d{6}\.jsonl")


def check_output_location(input_path: Path, output_dir: Path) -> None:
    """Refuse an output folder that is the input, lies inside it or holds
    it: parts would be read as input, or `--overwrite` would reach the
    input's own files."""
    source, output = input_path.resolve(), output_dir.resolve()
    if output == source or source in output.parents or output in source.parents:
        where = "is" if output == source else "lies inside" if source in output.parents else "holds"
        raise NerkitError(f"{output_dir}: the output folder {where} the input {input_path}; choose a folder apart")


class PartWriter:
    """Writes each finished shard: its record (with its bad lines), then its
    part file, whose rename marks the shard done."""

    def __init__(self, output_dir: Path):
        self.output_dir = output_dir
        (output_dir / SHARDS_DIR).mkdir(parents=True, exist_ok=True)
        self.records = 0
        self.errors = 0
        self.words = 0
        self.seen: set = set()  # shards of this run, written or skipped

    def shard_record(self, name: str) -> Optional[Dict[str, Any]]:
        path = self.output_dir / SHARDS_DIR / f"{name}.json"
        return json.loads(path.read_text(encoding="utf8")) if path.exists() else None

    def is_done(self, name: str, digest: str) -> bool:
        """Whether the shard's part exists and was made from these very bytes."""
        self.seen.add(name)
        record = self.shard_record(name)
        return record is not None and record["digest"] == digest and (self.output_dir / f"{name}.jsonl").exists()

    def __call__(self, shard: Shard, ents: List[List[Dict[str, Any]]], words: int) -> None:
        record = {
            "name": shard.name,
            "source": shard.source,
            "first_line": shard.first_line,
            "lines": shard.lines,
            "digest": shard.digest,
            "records": len(shard.records),
            "errors": shard.errors,
        }
        (self.output_dir / f"{shard.name}.jsonl").unlink(missing_ok=True)  # a changed shard is made anew
        write_lines(self.output_dir / SHARDS_DIR / f"{shard.name}.json", [json.dumps(record)], durable=True)
        # the standard json module writes each text as it is (UTF-8); srsly's escapes it
        lines = [
            json.dumps(
                {
                    "id": f"{shard.source}:{line}" if record_id is None else record_id,
                    "source": shard.source,
                    "line": line,
                    "ents": record_ents,
                },
                ensure_ascii=False,
            )
            for (record_id, _, line), record_ents in zip(shard.records, ents, strict=True)
        ]
        write_lines(self.output_dir / f"{shard.name}.jsonl", lines, durable=True)
        self.records += len(lines)
        self.errors += len(shard.errors)
        self.words += words

    def remove_stale(self) -> List[str]:
        """Parts of earlier runs that this run's inputs no longer make (a
        file now cut into fewer shards): removed, with their records."""
        stale = [p for p in self.output_dir.glob("part-*.jsonl") if PART.fullmatch(p.name) and p.stem not in self.seen]
        for part in stale:
            part.unlink()
            (self.output_dir / SHARDS_DIR / f"{part.stem}.json").unlink(missing_ok=True)
        return sorted(p.name for p in stale)

    def collect_errors(self, sources: Iterable[str]) -> int:
        """errors.jsonl from the bad lines and files of every shard, in input order."""
        order = {source: i for i, source in enumerate(sources)}
        errors = []
        for path in (self.output_dir / SHARDS_DIR).glob("part-*.json"):
            errors.extend(json.loads(path.read_text(encoding="utf8"))["errors"])
        errors.sort(key=lambda e: (order.get(e["file"], len(order)), e["line"]))
        write_lines(self.output_dir / ERRORS, [json.dumps(e, ensure_ascii=False) for e in errors], durable=True)
        return len(errors)


def differences(previous: Dict[str, Any], manifest: Dict[str, Any]) -> List[str]:
    """What makes the earlier run's parts unfit to sit beside this run's:
    another model (by the digest of its files), spaCy version or settings,
    or an input that is gone or shorter than it was (not only appended to)."""
    found = []
    before, now = previous.get("model", {}), manifest["model"]
    if before.get("digest") != now["digest"]:
        found.append(
            f"the model {now['name']} {now['version']} (digest {now['digest'][:12]}) is not the earlier run's "
            f"{before.get('name')} {before.get('version')} (digest {str(before.get('digest'))[:12]})"
        )
    if previous.get("spacy") != manifest["spacy"]:
        found.append(f"spaCy {manifest['spacy']}, not the earlier run's {previous.get('spacy')}")
    if previous.get("settings") != manifest["settings"]:
        changed = sorted(
            k
            for k in {**previous.get("settings", {}), **manifest["settings"]}
            if previous.get("settings", {}).get(k) != manifest["settings"].get(k)
        )
        found.append(f"other settings: {', '.join(changed)}")
    inputs = {entry["source"]: entry for entry in manifest["inputs"]}
    earlier = previous.get("inputs", [])
    if not all(isinstance(entry, dict) and {"source", "size"} <= set(entry) for entry in earlier):
        return [*found, "the earlier run's manifest lists its inputs in a form this version does not write"]
    for entry in earlier:
        source = entry["source"]
        if source not in inputs:
            found.append(f"the input {source} of the earlier run is gone")
        elif inputs[source]["size"] < entry["size"]:
            found.append(
                f"the input {source} is shorter than in the earlier run ({inputs[source]['size']:,} bytes, "
                f"was {entry['size']:,}): not only appended to"
            )
    return found


def check_manifest(output_dir: Path, manifest: Dict[str, Any], overwrite: bool) -> List[str]:
    """Refuse to mix parts of different runs, saying what differs; with
    `overwrite`, remove what the earlier run wrote (and nothing else) first.
    Returns the inputs that changed since the earlier run (grown or
    rewritten: their changed shards are made anew)."""
    path = output_dir / MANIFEST
    changed_inputs: List[str] = []
    if path.exists():
        previous = json.loads(path.read_text(encoding="utf8"))
        found = differences(previous, manifest)
        if overwrite:
            remove_run_files(output_dir)
        elif found:
            raise NerkitError(
                f"{path}: this output folder holds an earlier run that this one would mix with: "
                + "; ".join(found)
                + ". Use another folder, or --overwrite to replace the earlier run"
            )
        else:
            before = {e["source"]: e for e in previous.get("inputs", [])}
            changed_inputs = [
                entry["source"]
                for entry in manifest["inputs"]
                if entry["source"] in before
                and (entry["size"], entry["mtime_ns"])
                != (before[entry["source"]]["size"], before[entry["source"]]["mtime_ns"])
            ]
    output_dir.mkdir(parents=True, exist_ok=True)
    write_json(path, manifest, durable=True)
    return changed_inputs


def remove_run_files(output_dir: Path) -> None:
    """The parts, shard records, errors and manifest of a run, and nothing else."""
    for part in output_dir.glob("part-*.jsonl"):
        if PART.fullmatch(part.name):
            part.unlink()
    shutil.rmtree(output_dir / SHARDS_DIR, ignore_errors=True)
    (output_dir / ERRORS).unlink(missing_ok=True)
    (output_dir / MANIFEST).unlink(missing_ok=True)
