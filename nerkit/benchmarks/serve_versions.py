"""The servers of several versions of this project side by side, on one
machine in one run: each version a tree (`git archive` of a revision, or
the working tree), its own `scripts/serve.py` started on 127.0.0.1 with the
same pipeline and its own default settings. The speed scenarios run in
turns (A B C A B C), each turn on a server started for it, so that a ratio
between two versions does not move with the machine's speed: one-sentence
requests from the load's clients, then the same beside big requests
(serve_hostile.big_and_small_scenario). Then, on a fresh server of each
version, the slow clients (serve_slow_clients.py)."""

import asyncio
import io
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Dict, List, Optional

import orjson

from nerkit.benchmarks.serve import load_test
from nerkit.benchmarks.serve_hostile import big_and_small_scenario
from nerkit.benchmarks.serve_settings import HostileSettings, LoadSettings
from nerkit.benchmarks.serve_slow_clients import SlowClientSettings, run_slow_clients
from nerkit.benchmarks.server_process import running_server

# the working tree, as a version
WORKING_TREE = "."


def version_tree(repo: Path, revision: str, work_dir: Path) -> Path:
    """The files of `revision` (`git archive`), or `repo` itself for WORKING_TREE."""
    if revision == WORKING_TREE:
        return repo
    tree = work_dir / revision
    if not tree.exists():
        archive = subprocess.run(["git", "-C", str(repo), "archive", revision], capture_output=True, check=True)
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(tree, filter="data")
    return tree


def package_of(tree: Path) -> str:
    """The name of the tree's library package: the folder of its pipeline_functions.py."""
    return next(path.parent.name for path in sorted(tree.glob("*/pipeline_functions.py")))


def model_for(model: Path, tree: Path, work_dir: Path) -> Path:
    """The pipeline as `tree`'s code loads it: a version from before the
    package was renamed reads the pipeline's registered functions (nerkit.*)
    under its own package name, so its copy's config names them so."""
    package = package_of(tree)
    if package == "nerkit":
        return model
    copy = work_dir / f"model_for_{package}"
    if not copy.exists():
        shutil.copytree(model, copy)
        config = copy / "config.cfg"
        config.write_text(config.read_text(encoding="utf8").replace('"nerkit.', f'"{package}.'), encoding="utf8")
    return copy


def serve_command(tree: Path, script: Path, model: Path) -> Dict:
    """The command line and environment that run `tree`'s serve (`script`,
    relative to the tree) with its own code."""
    return {
        "command": [sys.executable, tree / script, model],
        "env": {**os.environ, "PYTHONPATH": str(tree)},
    }


def version_servers(repo: Path, script: Path, revisions: Dict[str, str], model: Path, work_dir: Path) -> Dict:
    """name -> serve_command() of each version of `repo` (NAME -> REVISION):
    its tree and the pipeline as its code reads it, under `work_dir`."""
    work_dir.mkdir(parents=True, exist_ok=True)
    servers = {}
    for name, revision in revisions.items():
        tree = version_tree(repo, revision, work_dir)
        servers[name] = serve_command(tree, script, model_for(model.resolve(), tree, work_dir))
    return servers


def speed_turn(server_run: Dict, sentences: List[str], words: List[int], load: LoadSettings, hostile) -> Dict:
    """One turn of a version: one-sentence requests, then the same beside big ones."""
    bodies = [orjson.dumps({"texts": [sentence]}) for sentence in sentences]
    with running_server(server_run["command"], env=server_run["env"]) as (url, server):
        one_sentence = asyncio.run(load_test(f"{url}/ents", bodies, words, load.clients, load, server))
        beside_big = big_and_small_scenario(url, server, sentences, hostile, load)
    return {"one_sentence": one_sentence, "beside_big_requests": beside_big}


def compare_versions(
    versions: Dict[str, Dict],
    sentences: List[str],
    words: List[int],
    load: LoadSettings,
    hostile: HostileSettings,
    slow: Optional[SlowClientSettings],
    rounds: int,
) -> Dict:
    """The speed turns of every version, `rounds` times in turn, then the slow
    clients on a fresh server of each; requests/s of each version against
    the first one's, turn by turn.
    versions: name -> serve_command(); sentences, words: the one-sentence
    requests and their words; load, hostile: the speed scenarios' settings;
    slow: the slow clients' settings (None: not run); rounds: turns a version."""
    turns: Dict[str, List[Dict]] = {name: [] for name in versions}
    for _ in range(rounds):
        for name, server_run in versions.items():
            turns[name].append(speed_turn(server_run, sentences, words, load, hostile))
    baseline = next(iter(versions))
    summary = {name: speed_summary(runs, turns[baseline]) for name, runs in turns.items()}
    slow_clients = {}
    if slow:
        for name, server_run in versions.items():
            with running_server(server_run["command"], env=server_run["env"]) as (url, server):
                slow_clients[name] = run_slow_clients(url, server, slow)
    return {"baseline": baseline, "summary": summary, "turns": turns, "slow_clients": slow_clients}


def speed_summary(runs: List[Dict], baseline_runs: List[Dict]) -> Dict:
    """Median requests/s and p99 of the turns, and the ratio to the baseline turn by turn."""
    rates = [run["one_sentence"]["requests_per_second"] for run in runs]
    baseline = [run["one_sentence"]["requests_per_second"] for run in baseline_runs]
    return {
        "one_sentence_requests_per_second": statistics.median(rates),
        "one_sentence_p99_ms": statistics.median(run["one_sentence"]["latency_ms"]["p99"] for run in runs),
        "one_sentence_errors": sum(sum(run["one_sentence"]["errors"].values()) for run in runs),
        "ratio_to_baseline_by_turn": [rate / base for rate, base in zip(rates, baseline, strict=True)],
        "beside_big_requests_p99_ms": statistics.median(
            run["beside_big_requests"]["small"]["latency_ms"]["p99"] for run in runs
        ),
    }
