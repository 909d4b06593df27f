"""Annotate a large text collection with a trained pipeline, streaming and
resumable, in this process (`nlp.pipe`, with `n_process` for CPU pipelines)
or on a Dask cluster: a local one (`--workers N`) or an existing one
(`--scheduler tcp://...`).

The input (a .jsonl or .txt file, gzipped or not, or a folder of them) is
read as a stream and cut into shards of --shard-size lines. Each shard
becomes one part file of JSON lines `{"id": ..., "ents": [...]}`, written
under a temporary name and renamed when complete, so a rerun skips the
finished parts and a killed run loses and duplicates nothing. Bad input lines
go to errors.jsonl with their file and line number. A manifest names the
model, the spaCy version, the inputs and the settings; a rerun that differs
from it is refused unless --overwrite.

On a cluster each worker loads the pipeline once (a Dask worker plugin): the
`nlp` object is never pickled from the client, which breaks spaCy's parser.
"""

import gzip
import json
import os
import resource
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import spacy
import typer
from distributed import Client, LocalCluster, WorkerPlugin, as_completed, get_worker
from spacy.tokens import Doc
from tqdm import tqdm
from wasabi import msg

INPUT_SUFFIXES = (".jsonl", ".txt", ".jsonl.gz", ".txt.gz")
PLUGIN_NAME = "dlbook-pipeline"
SHARD_ERRORS_DIR = "shard-errors"
MANIFEST = "manifest.json"


@dataclass
class Shard:
    """One shard of an input file: its good records and its bad lines."""

    name: str
    source: str
    records: List[Tuple[Any, str]] = field(default_factory=list)
    errors: List[Dict[str, Any]] = field(default_factory=list)
    end_byte: int = 0
    done: bool = False  # its part file exists: nothing to parse or annotate


def list_inputs(input_path: Path) -> List[Path]:
    """The input files, in a stable order: the file itself, or every
    supported file under a folder."""
    if input_path.is_dir():
        files = sorted(p for p in input_path.rglob("*") if p.is_file() and p.name.endswith(INPUT_SUFFIXES))
        if not files:
            raise ValueError(f"{input_path}: no {', '.join(INPUT_SUFFIXES)} files in this folder")
        return files
    if not input_path.is_file():
        raise ValueError(f"{input_path}: no such file or folder")
    if not input_path.name.endswith(INPUT_SUFFIXES):
        raise ValueError(f"{input_path}: expected one of {', '.join(INPUT_SUFFIXES)}")
    return [input_path]


def read_lines(path: Path) -> Iterator[Tuple[int, bytes, int]]:
    """(line number from 1, line without its end, bytes of the file read so
    far), streaming; gzip files are decompressed on the fly."""
    with open(path, "rb") as raw:
        stream = gzip.GzipFile(fileobj=raw) if path.name.endswith(".gz") else raw
        for number, line in enumerate(stream, start=1):
            yield number, line.rstrip(b"\r\n"), raw.tell()


def parse_line(path: Path, number: int, line: bytes, text_key: str, id_key: str) -> Tuple[Any, str]:
    """The (id, text) of one input line; ValueError says what is wrong."""
    try:
        decoded = line.decode("utf8")
    except UnicodeDecodeError as err:
        raise ValueError(f"invalid UTF-8 at byte {err.start}") from None
    if ".txt" in path.name:
        return number, decoded
    try:
        record = json.loads(decoded)
    except json.JSONDecodeError as err:
        raise ValueError(f"not JSON: {err.msg} at column {err.colno}") from None
    if not isinstance(record, dict):
        raise ValueError(f"expected a JSON object, got {type(record).__name__}")
    if text_key not in record:
        raise ValueError(f"no {text_key!r} key")
    if not isinstance(record[text_key], str):
        raise ValueError(f"{text_key!r} is {type(record[text_key]).__name__}, not a string")
    return record.get(id_key, number), record[text_key]


def read_shards(
    inputs: List[Path], shard_size: int, text_key: str, id_key: str, is_done: Callable[[str], bool]
) -> Iterator[Shard]:
    """Shards of every input, in order; a finished shard (by `is_done`) is
    yielded without records or errors, and its lines are not parsed."""
    for file_index, path in enumerate(inputs):
        lines: List[Tuple[int, bytes]] = []
        shard_index = 0
        end_byte = 0
        for number, line, end_byte in read_lines(path):
            lines.append((number, line))
            if len(lines) == shard_size:
                yield _make_shard(path, file_index, shard_index, lines, end_byte, text_key, id_key, is_done)
                lines, shard_index = [], shard_index + 1
        if lines:
            yield _make_shard(path, file_index, shard_index, lines, end_byte, text_key, id_key, is_done)


def _make_shard(path, file_index, shard_index, lines, end_byte, text_key, id_key, is_done) -> Shard:
    shard = Shard(name=f"part-{file_index:05d}-{shard_index:06d}", source=str(path), end_byte=end_byte)
    shard.done = is_done(shard.name)
    if shard.done:
        return shard
    for number, line in lines:
        try:
            shard.records.append(parse_line(path, number, line, text_key, id_key))
        except ValueError as err:
            shard.errors.append({"file": str(path), "line": number, "error": str(err)})
    return shard


def entities(doc: Doc) -> List[Dict[str, Any]]:
    return [{"start": ent.start_char, "end": ent.end_char, "label": ent.label_, "text": ent.text} for ent in doc.ents]


def write_atomic(path: Path, lines: List[str]) -> None:
    """Write the lines to a temporary file beside `path`, then rename it."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf8") as tmp:
            tmp.writelines(line + "\n" for line in lines)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


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
        write_atomic(self.output_dir / SHARD_ERRORS_DIR / f"{shard.name}.jsonl", errors)
        records = [
            json.dumps({"id": record_id, "ents": record_ents}, ensure_ascii=False)
            for (record_id, _), record_ents in zip(shard.records, ents, strict=True)
        ]
        write_atomic(self.output_dir / f"{shard.name}.jsonl", records)
        self.records += len(records)
        self.errors += len(errors)
        self.words += words

    def collect_errors(self) -> int:
        """errors.jsonl from the bad lines of every shard, in input order."""
        lines = []
        for path in sorted((self.output_dir / SHARD_ERRORS_DIR).glob("part-*.jsonl")):
            lines.extend(line for line in path.read_text(encoding="utf8").splitlines() if line)
        write_atomic(self.output_dir / "errors.jsonl", lines)
        return len(lines)


def model_meta(model: str) -> Dict[str, Any]:
    """The meta.json of an installed package or a pipeline folder, read
    without loading the pipeline."""
    path = Path(model) if Path(model).exists() else spacy.util.get_package_path(model)
    meta = spacy.util.load_meta(path / "meta.json")
    return {"name": f"{meta['lang']}_{meta['name']}", "version": meta["version"], "pipeline": meta.get("pipeline", [])}


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
    write_atomic(path, [json.dumps(manifest, indent=2, ensure_ascii=False)])


def peak_rss_mb() -> float:
    """This process's peak resident memory (MB). VmHWM, because ru_maxrss
    keeps the high-water mark of the parent a worker process was forked from."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_pipeline(model: str, gpu_id: int, one_thread: bool) -> spacy.Language:
    """Load the pipeline for annotation, on the GPU if asked; `one_thread`
    gives torch (transformer pipelines) one thread, for workers that share
    the cores."""
    try:
        import functions  # noqa: F401 (pipeline folders of this project need the dlbook.* functions)
    except ImportError:
        pass
    if gpu_id >= 0:
        spacy.require_gpu(gpu_id)
    if one_thread:
        try:
            import torch

            torch.set_num_threads(1)
        except ImportError:
            pass
    return spacy.load(model)


class PipelineLoader(WorkerPlugin):
    """Dask worker plugin: each worker loads the pipeline once, at start
    (also a worker that replaces a lost one)."""

    def __init__(self, model: str, gpu_id: int):
        self.model = model
        self.gpu_id = gpu_id
        self.nlp = None

    def setup(self, worker) -> None:
        self.nlp = load_pipeline(self.model, self.gpu_id, one_thread=True)

    def teardown(self, worker) -> None:
        self.nlp = None


def annotate_on_worker(texts: List[str], batch_size: int) -> Tuple[List[List[Dict[str, Any]]], int, float]:
    """A Dask task: the entities of each text, the words, the worker's peak
    memory (MB)."""
    nlp = get_worker().plugins[PLUGIN_NAME].nlp
    docs = list(nlp.pipe(texts, batch_size=batch_size))
    return [entities(doc) for doc in docs], sum(len(doc) for doc in docs), peak_rss_mb()


class Progress:
    """A progress bar over the input bytes, with shards, documents and words/s."""

    def __init__(self, inputs: List[Path]):
        self.bar = tqdm(
            total=sum(p.stat().st_size for p in inputs), unit="B", unit_scale=True, desc="annotate", disable=None
        )
        self.started = time.perf_counter()
        self.done_bytes: Dict[str, int] = {}
        self.shards = self.docs = self.words = 0

    def update(self, shard: Shard, words: int) -> None:
        previous = self.done_bytes.get(shard.source, 0)
        if shard.end_byte > previous:
            self.bar.update(shard.end_byte - previous)
            self.done_bytes[shard.source] = shard.end_byte
        self.shards += 1
        self.docs += len(shard.records)
        self.words += words
        rate = self.words / (time.perf_counter() - self.started)
        self.bar.set_postfix(shards=self.shards, docs=self.docs, words_s=f"{rate:,.0f}", refresh=False)

    def close(self) -> None:
        self.bar.close()


def run_in_process(
    shards: Iterator[Shard], model: str, gpu_id: int, batch_size: int, n_process: int, on_done: Callable
) -> Dict[str, float]:
    """One nlp.pipe over the texts of all shards (so worker processes start
    once); each shard is handed on as soon as its last document is back."""
    start = time.perf_counter()
    nlp = load_pipeline(model, gpu_id, one_thread=n_process > 1)
    load_seconds = time.perf_counter() - start
    pending: Dict[str, Tuple[Shard, List, List[int]]] = {}

    def texts() -> Iterator[Tuple[str, str]]:
        for shard in shards:
            if not shard.records:
                on_done(shard, [], 0)
                continue
            pending[shard.name] = (shard, [], [0])
            for _, text in shard.records:
                yield text, shard.name

    for doc, name in nlp.pipe(texts(), as_tuples=True, batch_size=batch_size, n_process=n_process):
        shard, ents, words = pending[name]
        ents.append(entities(doc))
        words[0] += len(doc)
        if len(ents) == len(shard.records):
            on_done(shard, ents, words[0])
            del pending[name]
    return {"startup_seconds": load_seconds, "peak_rss_mb_per_worker": peak_rss_mb()}


def run_on_dask(
    shards: Iterator[Shard],
    model: str,
    gpu_id: int,
    batch_size: int,
    workers: int,
    scheduler: Optional[str],
    on_done: Callable,
) -> Dict[str, float]:
    """Shards as Dask tasks, at most two per worker in flight so memory stays
    flat; a task lost with its worker is retried by Dask."""
    start = time.perf_counter()
    if scheduler:
        cluster = None
        client = Client(scheduler)
    else:
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        )
        client = Client(cluster)
    try:
        cluster_seconds = time.perf_counter() - start
        client.register_plugin(PipelineLoader(model, gpu_id), name=PLUGIN_NAME)
        load_seconds = time.perf_counter() - start - cluster_seconds
        max_in_flight = 2 * max(1, len(client.scheduler_info()["workers"]))
        in_flight: Dict[Any, Shard] = {}
        finished = as_completed()
        peaks: List[float] = []

        def collect(future) -> None:
            ents, words, worker_peak = future.result()
            peaks.append(worker_peak)
            on_done(in_flight.pop(future), ents, words)

        for shard in shards:
            if not shard.records:
                on_done(shard, [], 0)
                continue
            future = client.submit(annotate_on_worker, [text for _, text in shard.records], batch_size, pure=False)
            in_flight[future] = shard
            finished.add(future)
            while len(in_flight) >= max_in_flight:
                collect(next(finished))
        for future in finished:
            collect(future)
        return {
            "cluster_seconds": cluster_seconds,
            "startup_seconds": load_seconds,
            # the first shard's against the whole run's: flat memory keeps them close
            "peak_rss_mb_per_worker_first_shard": peaks[0] if peaks else None,
            "peak_rss_mb_per_worker": max(peaks, default=None),
        }
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def annotate(
    model: str,
    input_path: Path,
    output_dir: Path,
    *,
    workers: int = 0,
    scheduler: Optional[str] = None,
    text_key: str = "text",
    id_key: str = "id",
    batch_size: int = 64,
    shard_size: int = 1000,
    n_process: int = 1,
    gpu_id: int = -1,
    overwrite: bool = False,
) -> Dict[str, Any]:
    """Annotate every line of the input into part files under output_dir;
    returns the counts and timings of this run."""
    inputs = list_inputs(input_path)
    manifest = {
        "model": model_meta(model),
        "spacy": spacy.__version__,
        "inputs": [str(p) for p in inputs],
        "settings": {"text_key": text_key, "id_key": id_key, "shard_size": shard_size},
        "run": {
            "model": model,
            "workers": workers,
            "scheduler": scheduler,
            "batch_size": batch_size,
            "n_process": n_process,
            "gpu_id": gpu_id,
        },
    }
    check_manifest(output_dir, manifest, overwrite)
    writer = PartWriter(output_dir)
    progress = Progress(inputs)
    skipped = 0

    def on_done(shard: Shard, ents, words: int) -> None:
        writer(shard, ents, words)
        progress.update(shard, words)

    def todo() -> Iterator[Shard]:
        nonlocal skipped
        for shard in read_shards(inputs, shard_size, text_key, id_key, writer.is_done):
            if shard.done:
                skipped += 1
                progress.update(shard, 0)
                continue
            yield shard

    start = time.perf_counter()
    if workers == 0 and not scheduler:
        timings = run_in_process(todo(), model, gpu_id, batch_size, n_process, on_done)
    else:
        timings = run_on_dask(todo(), model, gpu_id, batch_size, workers, scheduler, on_done)
    progress.close()
    seconds = time.perf_counter() - start
    annotate_seconds = seconds - timings.get("cluster_seconds", 0.0) - timings["startup_seconds"]
    return {
        "records": writer.records,
        "errors": writer.errors,
        "errors_in_all": writer.collect_errors(),
        "parts_written": progress.shards - skipped,
        "parts_skipped": skipped,
        "words": writer.words,
        "seconds": seconds,
        "annotate_seconds": annotate_seconds,
        "words_per_second": writer.words / annotate_seconds if annotate_seconds > 0 else None,
        **timings,
    }


def main(
    model: str = typer.Argument(..., help="Installed pipeline package or pipeline folder"),
    input_path: Path = typer.Argument(..., help=".jsonl/.txt file (optionally .gz) or a folder of them"),
    output_dir: Path = typer.Argument(
        ..., help="Folder for the part files, errors.jsonl and the manifest", file_okay=False
    ),
    workers: int = typer.Option(
        0, "--workers", help="0: in this process; N: a local Dask cluster of N worker processes"
    ),
    scheduler: Optional[str] = typer.Option(
        None, "--scheduler", help="Address of an existing Dask scheduler, e.g. tcp://10.0.0.1:8786"
    ),
    text_key: str = typer.Option("text", "--text-key", help="JSONL key of the text"),
    id_key: str = typer.Option("id", "--id-key", help="JSONL key of the id (else the line number)"),
    batch_size: int = typer.Option(64, "--batch-size", help="Documents per nlp.pipe batch"),
    shard_size: int = typer.Option(1000, "--shard-size", help="Input lines per shard (one part file each)"),
    n_process: int = typer.Option(1, "--n-process", help="With --workers 0: nlp.pipe processes (CPU pipelines)"),
    gpu_id: int = typer.Option(-1, "--gpu-id", "-g", help="GPU id for the pipeline, or -1 for the CPU"),
    overwrite: bool = typer.Option(
        False, "--overwrite", help="Replace an earlier run in OUTPUT_DIR made with other settings"
    ),
):
    """Annotate a text collection into JSONL part files, resumably, in this
    process or on a Dask cluster."""
    try:
        summary = annotate(
            model,
            input_path,
            output_dir,
            workers=workers,
            scheduler=scheduler,
            text_key=text_key,
            id_key=id_key,
            batch_size=batch_size,
            shard_size=shard_size,
            n_process=n_process,
            gpu_id=gpu_id,
            overwrite=overwrite,
        )
    except ValueError as err:
        typer.echo(f"✘ {err}", err=True)
        raise typer.Exit(1) from None
    msg.good(
        f"{summary['records']:,} records and {summary['errors']:,} bad lines in {summary['parts_written']} parts "
        f"({summary['parts_skipped']} already done); {summary['words']:,} words at "
        f"{summary['words_per_second'] or 0:,.0f} words/s (start-up {summary['startup_seconds']:.1f} s)"
    )
    typer.echo(json.dumps(summary))


if __name__ == "__main__":
    typer.run(main)
