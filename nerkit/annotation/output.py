"""The output folder of an annotation run, on any store: one part file per
shard, published whole by the worker that annotated it (so a rerun skips the
finished ones), a record of each shard beside it (its source lines, the
digest of its input bytes, its counts) with its bad lines in a file of their
own, errors.jsonl merged from them by the client, and a manifest a rerun
must match. Nothing outside the names a run writes is ever deleted."""

import json
import re
from typing import Any, Dict, Iterable, List, Optional

from nerkit.annotation.collection import ShardPlan
from nerkit.annotation.storage import Location, StagedFile, same_place
from nerkit.errors import NerkitError

SHARDS_DIR = "shards"
MANIFEST = "manifest.json"
ERRORS = "errors.jsonl"
# the names of the parts a run writes
PART = re.compile(r"part-[0-9a-f]{12}-\d{6}\.jsonl")


def check_output_location(input_location: Location, output: Location) -> None:
    """Refuse an output folder that is the input, lies inside it or holds
    it: parts would be read as input, or `--overwrite` would reach the
    input's own files."""
    where = same_place(output, input_location)
    if where:
        raise NerkitError(
            f"{output.url}: the output folder {where} the input {input_location.url}; choose a folder apart"
        )


def record_name(name: str) -> str:
    return f"{SHARDS_DIR}/{name}.json"


def errors_name(name: str) -> str:
    return f"{SHARDS_DIR}/{name}.errors.jsonl"


def stored_shard(output: Location, name: str) -> Optional[Dict[str, Any]]:
    """The record of a shard whose part is published, or None."""
    text = output.read_text(record_name(name))
    if text is None or not output.exists(f"{name}.jsonl"):
        return None
    return json.loads(text)


class PartOutput:
    """What a worker writes for one shard: the part's records and the bad
    lines, each to a temporary file as they come; `publish` then writes the
    bad lines, the shard's record, and last the part, whose appearance
    marks the shard done. An earlier part of the shard is removed first, so
    that a record never stands beside a part of other bytes."""

    def __init__(self, output: Location, shard: ShardPlan):
        self.output, self.shard = output, shard
        output.remove(f"{shard.name}.jsonl")
        self.part = StagedFile(output, f"{shard.name}.jsonl")
        self.bad_lines = StagedFile(output, errors_name(shard.name))
        self.records = self.errors = 0

    def add_records(self, records: Iterable[Dict[str, Any]]) -> None:
        # the standard json module writes each text as it is (UTF-8); srsly's escapes it
        for record in records:
            self.part.file.write(json.dumps(record, ensure_ascii=False).encode("utf8") + b"\n")
            self.records += 1

    def add_error(self, error: Dict[str, Any]) -> None:
        self.bad_lines.file.write(json.dumps(error, ensure_ascii=False).encode("utf8") + b"\n")
        self.errors += 1

    def publish(self, record: Dict[str, Any]) -> None:
        try:
            if self.errors:
                self.bad_lines.commit()
            else:
                self.output.remove(errors_name(self.shard.name))
            self.output.write_text(record_name(self.shard.name), json.dumps(record) + "\n")
            self.part.commit()
        finally:
            self.discard()

    def discard(self) -> None:
        self.part.discard()
        self.bad_lines.discard()


def remove_stale(output: Location, names: Iterable[str]) -> List[str]:
    """Parts of earlier runs that this run's plan no longer makes: removed,
    with their records and bad lines."""
    keep = {f"{name}.jsonl" for name in names}
    found = [path.rsplit("/", 1)[-1] for path in output.fs.glob(output.child("part-*.jsonl"))]
    stale = sorted(name for name in found if PART.fullmatch(name) and name not in keep)
    for part in stale:
        name = part[: -len(".jsonl")]
        output.remove(part)
        output.remove(record_name(name))
        output.remove(errors_name(name))
    return stale


def collect_errors(output: Location, plan: List[ShardPlan], run_errors: Dict[str, List[Dict[str, Any]]]) -> int:
    """errors.jsonl in input order: each shard's bad lines, read from its
    file a line at a time, or the errors this run met with the shard
    (`run_errors`, by shard name: a shard that could not be annotated)."""
    fs = output.fs
    # one listing, not a lookup a shard (a request each on an object store)
    with_bad_lines = {path.rsplit("/", 1)[-1] for path in fs.glob(output.child(errors_name("part-*")))}
    staged, count = StagedFile(output, ERRORS), 0
    try:
        for shard in plan:
            if shard.name in run_errors:
                for error in run_errors[shard.name]:
                    staged.file.write(json.dumps(error, ensure_ascii=False).encode("utf8") + b"\n")
                    count += 1
            elif errors_name(shard.name).rsplit("/", 1)[-1] in with_bad_lines:
                with fs.open(output.child(errors_name(shard.name)), "rb") as lines:
                    for line in lines:
                        staged.file.write(line)
                        count += 1
        staged.commit()
    finally:
        staged.discard()
    return count


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


def check_manifest(output: Location, manifest: Dict[str, Any], overwrite: bool) -> List[str]:
    """Refuse to mix parts of different runs, saying what differs; with
    `overwrite`, remove what the earlier run wrote (and nothing else) first.
    Returns the inputs that changed since the earlier run (grown or
    rewritten: their changed shards are made anew)."""
    try:
        text = output.read_text(MANIFEST)
    except OSError as err:
        raise NerkitError(f"{output.url}: the output cannot be read: {type(err).__name__}: {err}") from None
    changed_inputs: List[str] = []
    if text is not None:
        previous = json.loads(text)
        found = differences(previous, manifest)
        if overwrite:
            remove_run_files(output)
        elif found:
            raise NerkitError(
                f"{output.child(MANIFEST)}: this output folder holds an earlier run that this one would mix with: "
                + "; ".join(found)
                + ". Use another folder, or --overwrite to replace the earlier run"
            )
        else:
            before = {e["source"]: (e["size"], e.get("modified")) for e in previous.get("inputs", [])}
            changed_inputs = [
                e["source"]
                for e in manifest["inputs"]
                if before.get(e["source"], (e["size"], e["modified"])) != (e["size"], e["modified"])
            ]
    try:
        output.write_text(MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    except OSError as err:  # a bucket that is not there, a store that refuses writes
        raise NerkitError(f"{output.url}: the output cannot be written: {type(err).__name__}: {err}") from None
    return changed_inputs


def remove_run_files(output: Location) -> None:
    """The parts, shard records, errors and manifest of a run, and nothing else."""
    fs = output.fs
    for path in fs.glob(output.child("part-*.jsonl")):
        if PART.fullmatch(path.rsplit("/", 1)[-1]):
            fs.rm_file(path)
    if output.exists(SHARDS_DIR):
        fs.rm(output.child(SHARDS_DIR), recursive=True)
    output.remove(ERRORS)
    output.remove(MANIFEST)
