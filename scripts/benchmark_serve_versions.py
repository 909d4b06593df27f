"""The servers of several versions of the project side by side on
127.0.0.1 (nerkit/benchmarks/serve_versions.py): one-sentence requests
alone and beside big requests, in turns, then slow clients; requests/s of
each version against the first one's, turn by turn."""

from pathlib import Path

import typer
from wasabi import msg

from nerkit.benchmarks.serve import sentences_of
from nerkit.benchmarks.serve_settings import HostileSettings, LoadSettings
from nerkit.benchmarks.serve_slow_clients import SlowClientSettings
from nerkit.benchmarks.serve_versions import compare_versions, version_servers
from nerkit.common.atomic_files import write_json
from nerkit.common.loading import load_pipeline
from nerkit.common.machine import with_run_record
from nerkit.common.options import parse_assignments
from nerkit.errors import exit_on_error
from nerkit.serving.limits import RequestLimits

ROOT = Path(__file__).resolve().parent.parent
# the serve command, run from each version's tree
SERVE = (Path(__file__).resolve().parent / "serve.py").relative_to(ROOT)


def main(
    model: Path = typer.Argument(..., help="Pipeline folder", exists=True, file_okay=False),
    test_path: Path = typer.Argument(..., help="DocBin whose sentences are sent", exists=True, dir_okay=False),
    output_path: Path = typer.Argument(..., help="JSON file for the figures", dir_okay=False),
    versions: str = typer.Option(..., "--versions", help="NAME=REVISION,... ('.': the working tree); first: baseline"),
    work_dir: Path = typer.Option(Path("training/serve_versions"), "--work-dir", help="Trees of the revisions"),
    clients: int = typer.Option(16, "--clients", help="Concurrent clients sending one-sentence requests"),
    seconds: float = typer.Option(15.0, "--seconds", help="Length of each speed scenario"),
    rounds: int = typer.Option(3, "--rounds", help="Turns of each version"),
    big_texts: int = typer.Option(95, "--big-texts", help="Texts of a big request"),
    slow_clients: bool = typer.Option(True, "--slow-clients/--no-slow-clients", help="Slowloris, stalled bodies"),
    trickling: int = typer.Option(300, "--trickling", help="Connections trickling their headers"),
    stalled: int = typer.Option(600, "--stalled", help="Bodies promising 5 MB, sending 1 MB, then stalling"),
):
    """Serve side by side: several versions of the project on one pipeline."""
    with exit_on_error():
        revisions = parse_assignments(versions, "NAME=REVISION")
    sentences = sentences_of(load_pipeline(str(model)), test_path)
    words = [len(sentence.split()) for sentence in sentences]
    servers = version_servers(ROOT, SERVE, revisions, model, work_dir)
    load = LoadSettings(clients=clients, seconds=seconds)
    hostile = HostileSettings.sized_by(RequestLimits(), big_texts=big_texts)
    slow = SlowClientSettings(trickling=trickling, stalled=stalled) if slow_clients else None
    summary = compare_versions(servers, sentences, words, load, hostile, slow, rounds)
    summary["versions"] = revisions
    for name, figures in summary["summary"].items():
        rate, ratios = figures["one_sentence_requests_per_second"], figures["ratio_to_baseline_by_turn"]
        msg.good(f"{name}: one sentence {rate:,.0f} requests/s, to the baseline {[round(r, 2) for r in ratios]}")
    write_json(output_path, with_run_record(summary))
    msg.good(f"Saved {output_path}")


if __name__ == "__main__":
    typer.run(main)
