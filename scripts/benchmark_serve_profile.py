"""Where a served one-sentence request's time goes, for several versions of
the project side by side: py-spy samples a real server on 127.0.0.1 under
one-sentence load; the shares of the event loop's and the lanes' samples by
place (nerkit/benchmarks/serve_profile.py)."""

from pathlib import Path

import typer
from wasabi import msg

from nerkit.benchmarks.serve import sentences_of
from nerkit.benchmarks.serve_profile import profile_server
from nerkit.benchmarks.serve_settings import LoadSettings
from nerkit.benchmarks.serve_versions import version_servers
from nerkit.common.atomic_files import write_json
from nerkit.common.loading import load_pipeline
from nerkit.common.machine import with_run_record
from nerkit.common.options import parse_assignments
from nerkit.errors import exit_on_error

ROOT = Path(__file__).resolve().parent.parent
# the serve command, run from each version's tree
SERVE = (Path(__file__).resolve().parent / "serve.py").relative_to(ROOT)


def main(
    model: Path = typer.Argument(..., help="Pipeline folder", exists=True, file_okay=False),
    test_path: Path = typer.Argument(..., help="DocBin whose sentences are sent", exists=True, dir_okay=False),
    output_path: Path = typer.Argument(..., help="JSON file for the shares", dir_okay=False),
    versions: str = typer.Option(..., "--versions", help="NAME=REVISION,... ('.': the working tree)"),
    work_dir: Path = typer.Option(Path("training/serve_versions"), "--work-dir", help="Trees of the revisions"),
    clients: int = typer.Option(16, "--clients", help="Concurrent clients sending one-sentence requests"),
    seconds: float = typer.Option(15.0, "--seconds", help="Seconds sampled (after as many of warm-up)"),
):
    """Profile serve under one-sentence load, several versions side by side."""
    with exit_on_error():
        revisions = parse_assignments(versions, "NAME=REVISION")
        sentences = sentences_of(load_pipeline(str(model)), test_path)
        profiles = {}
        for name, server_run in version_servers(ROOT, SERVE, revisions, model, work_dir).items():
            profiles[name] = profile_server(server_run, sentences, LoadSettings(clients=clients, seconds=seconds))
            for thread, figures in profiles[name].items():
                top = sorted(figures["shares"].items(), key=lambda item: -item[1])[:3]
                msg.good(f"{name}, {thread}: " + ", ".join(f"{place} {share:.0%}" for place, share in top))
    write_json(output_path, with_run_record({"versions": revisions, "clients": clients, "profiles": profiles}))
    msg.good(f"Saved {output_path}")


if __name__ == "__main__":
    typer.run(main)
