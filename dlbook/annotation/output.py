"""The output folder of an annotation run: one part file per shard, written
whole or not at all (so a rerun skips the finished ones), the bad lines in
errors.jsonl, and a manifest that a rerun must match."""

import json
import shutil
from pathlib import Path
from typing import Any, Dict, List

from dlbook.annotation.collection import Shard
from dlbook.common.atomic_files import write_atomic

SHARD_ERRORS_DIR = "shard-errors"
MANIFEST = "manifest.json"


def write_lines(path: Path, lines: List[str]) -> None:
    write_atomic(path, "".join(line + "\n" for line in lines))


class PartWriter:
    """Writes each finished shard: its bad lines, then its part file, whose
    rename marks the shard done."""

    def __init__(self, output_dir: Path):
        self.output_dir = output_dir
        (output_dir / SHARD_ERRORS_DIR).mkdir(parents=True, exist_ok=True)
        self.records = 0
        self.errors = 0
        self.words = 0

    def is_done(self, name: str) -> bool:
        return (self.output_dir / f"{name}.jsonl").exists()

    def __call__(self, shard: Shard, ents: List[List[Dict[str, Any]]], words: int) -> None:
        errors = [json.dumps(error, ensure_ascii=False) for error in shard.errors]
        write_lines(self.output_dir / SHARD_ERRORS_DIR / f"{shard.name}.jsonl", errors)
        records = [
            json.dumps({"id": record_id, "ents": record_ents}, ensure_ascii=False)
            for (record_id, _), record_ents in zip(shard.records, ents, strict=True)
        ]
        write_lines(self.output_dir / f"{shard.name}.jsonl", records)
        self.records += len(records)
        self.errors += len(errors)
        self.words += words

    def collect_errors(self) -> int:
        """errors.jsonl from the bad lines of every shard, in input order."""
        lines = []
        for path in sorted((self.output_dir / SHARD_ERRORS_DIR).glob("part-*.jsonl")):
            lines.extend(line for line in path.read_text(encoding="utf8").splitlines() if line)
        write_lines(self.output_dir / "errors.jsonl", lines)
        return len(lines)


def check_manifest(output_dir: Path, manifest: Dict[str, Any], overwrite: bool) -> None:
    """Refuse to mix parts of different runs; with `overwrite`, remove the
    parts, errors and manifest of the earlier run first."""
    path = output_dir / MANIFEST
    if path.exists():
        previous = json.loads(path.read_text(encoding="utf8"))
        changed = [key for key in ("model", "inputs", "settings") if previous.get(key) != manifest[key]]
        if overwrite:
            for part in output_dir.glob("part-*.jsonl"):
                part.unlink()
            shutil.rmtree(output_dir / SHARD_ERRORS_DIR, ignore_errors=True)
            (output_dir / "errors.jsonl").unlink(missing_ok=True)
        elif changed:
            raise ValueError(
                f"{path}: this output folder holds a run with another {' and '.join(changed)}; "
                "use another folder, or --overwrite to replace it"
            )
    output_dir.mkdir(parents=True, exist_ok=True)
    write_lines(path, [json.dumps(manifest, indent=2, ensure_ascii=False)])
