"""Two fingerprints of workflow runs (scripts/fingerprint_run.py) side by
side with each item's verdict: equal bytes, equal values, wheels file by
file (nerkit/benchmarks/fingerprint.py)."""

import json
from pathlib import Path

import typer
from wasabi import msg

from nerkit.benchmarks.fingerprint import compare_fingerprints
from nerkit.common.atomic_files import write_json
from nerkit.common.machine import with_run_record


def main(
    before_path: Path = typer.Argument(..., help="Fingerprint of the run before the change", exists=True),
    after_path: Path = typer.Argument(..., help="Fingerprint of the run after the change", exists=True),
    output_path: Path = typer.Argument(..., help="JSON file for both and the verdict", dir_okay=False),
    what: str = typer.Option("", help="What the two runs are, in a sentence"),
):
    """Compare two runs' fingerprints."""
    # the standard reader: srsly's rounds doubles to 9 digits, and dev scores are compared exactly
    before, after = (json.loads(path.read_text(encoding="utf8")) for path in (before_path, after_path))
    verdict = compare_fingerprints(before, after)
    write_json(output_path, with_run_record({"what": what, "before": before, "after": after, "verdict": verdict}))
    for key, value in verdict.items():
        if key != "wheels":
            msg.text(f"{key}: {value}")
    for name, files in verdict["wheels"].items():
        msg.text(f"{name}: " + ", ".join(f"{kind} {len(names)}" for kind, names in files.items()))
    msg.good(f"Saved {output_path}")


if __name__ == "__main__":
    typer.run(main)
