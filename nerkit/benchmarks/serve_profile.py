"""Where a served one-sentence request's time goes: py-spy samples every
thread of a real server (one worker) while the load's clients send
one-sentence requests; each sample is put in one place by the frames it
holds. The event loop's samples by the code they are in (the leaf frame):
uvloop and the C extensions (sockets, HTTP parsing, orjson), uvicorn's
Python, Starlette and FastAPI, the project's serving code. The lanes'
samples by the pipeline's part they are under: the tokenizer, the tok2vec,
the ner, waiting for a batch, the rest. Shares of each thread's samples,
for several versions side by side (serve_versions.py); py-spy's own
sampling slows the server, so the requests/s of a profiled run are not
compared with anything."""

import asyncio
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Dict, List, Tuple

import orjson

from nerkit.benchmarks.serve import load_test
from nerkit.benchmarks.serve_settings import LoadSettings
from nerkit.benchmarks.server_process import running_server
from nerkit.errors import NerkitError

# (place, a substring of the leaf frame's file) for the event loop's samples, first match
LOOP_PLACES = [
    ("uvloop and C extensions", "asyncio/"),
    ("uvicorn (Python)", "uvicorn/"),
    ("Starlette and FastAPI", "starlette/"),
    ("Starlette and FastAPI", "fastapi/"),
    ("serve's own code", "/serving/"),
]
# (place, a substring of any frame of the sample) for the lanes' samples, first match
LANE_PLACES = [
    ("tokenizer", "make_doc"),
    ("tok2vec", "Tok2Vec.predict"),
    ("waiting for a batch", "_take_batch"),
    ("ner", "_pipe ("),
]


def place_of(frames: List[str]) -> Tuple[str, str]:
    """(thread, place) of one sample, its frames from the root to the leaf."""
    if any("Lane._run" in frame for frame in frames):
        return "lanes", next((place for place, mark in LANE_PLACES if any(mark in f for f in frames)), "other")
    leaf = frames[-1] if frames else ""
    return "event loop", next((place for place, mark in LOOP_PLACES if mark in leaf), "other")


def shares(raw: str) -> Dict[str, Dict]:
    """py-spy's raw output (`frame;frame;... count` a line) as each thread's
    samples and the share of each place in them."""
    counts: Dict[str, Dict[str, int]] = {}
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        thread, place = place_of(stack.split(";"))
        counts.setdefault(thread, {}).setdefault(place, 0)
        counts[thread][place] += int(count)
    return {
        thread: {"samples": sum(places.values()), "shares": {p: n / sum(places.values()) for p, n in places.items()}}
        for thread, places in counts.items()
    }


def profile_server(server_run: Dict, sentences: List[str], load: LoadSettings, rate: int = 200) -> Dict:
    """One server of `server_run` (serve_versions.serve_command) loaded by
    one-sentence clients for the load's seconds while py-spy records it at
    `rate` samples a second."""
    py_spy = shutil.which("py-spy")
    if py_spy is None:
        raise NerkitError("py-spy is not installed: pip install -r requirements-dev.txt")
    bodies = [orjson.dumps({"texts": [sentence]}) for sentence in sentences]
    with running_server(server_run["command"], env=server_run["env"]) as (url, server):
        asyncio.run(load_test(f"{url}/ents", bodies, [1] * len(bodies), load.clients, load, server))  # warm-up
        with tempfile.TemporaryDirectory() as folder:
            output = Path(folder) / "raw.txt"
            record = [py_spy, "record", "--pid", str(server.pid), "--rate", str(rate), "--format", "raw"]
            recorder = subprocess.Popen(
                [*record, "--duration", str(int(load.seconds)), "--nonblocking", "--output", str(output)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            asyncio.run(load_test(f"{url}/ents", bodies, [1] * len(bodies), load.clients, load, server))
            _, errors = recorder.communicate(timeout=load.seconds + 60)
            if not output.is_file():
                raise NerkitError(f"py-spy recorded nothing: {errors.decode(errors='replace')[-500:]}")
            return shares(output.read_text(encoding="utf8"))
