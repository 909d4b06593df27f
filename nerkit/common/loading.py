"""The one way the project's code loads a pipeline: an installed package or a
pipeline folder (whose nerkit.* functions this module registers); its
tokenizer alone; its meta and the digest of its files without loading it."""

import hashlib
from pathlib import Path
from typing import Any, Dict, Iterable, Union

import spacy
from spacy.language import Language
from spacy.util import load_config
from threadpoolctl import threadpool_limits

import nerkit.pipeline_functions  # noqa: F401 (pipeline folders of this project need the nerkit.* functions)
from nerkit.errors import NerkitError


def load_pipeline(
    model: Union[str, Path], gpu_id: int = -1, one_thread: bool = False, exclude: Iterable[str] = ()
) -> Language:
    """spacy.load, on GPU `gpu_id` if it is 0 or more (spacy.require_gpu
    fails clearly where there is none). `one_thread` gives numpy's BLAS (the
    CNN's matrix products) and torch (transformer pipelines) one thread in
    this process, for processes that share the cores: threads of several
    processes on the same cores only take turns."""
    if gpu_id >= 0:
        spacy.require_gpu(gpu_id)
    if one_thread:
        threadpool_limits(1)
        try:
            import torch
        except ImportError:
            pass
        else:
            torch.set_num_threads(1)
    return spacy.load(model, exclude=list(exclude))


def load_tokenizer(model: Path) -> Language:
    """The pipeline's tokenizer and vocab only: its components are not run."""
    return load_pipeline(model, exclude=load_config(Path(model) / "config.cfg")["nlp"]["pipeline"])


def check_model(model: str) -> None:
    """A NerkitError unless `model` is an installed pipeline package or a
    pipeline folder."""
    if not (spacy.util.is_package(model) or (Path(model) / "meta.json").is_file()):
        raise NerkitError(f"{model}: neither an installed pipeline package nor a pipeline folder")


def model_path(model: str) -> Path:
    """The folder of a pipeline folder or of an installed package."""
    return Path(model) if Path(model).exists() else spacy.util.get_package_path(model)


def model_meta(model: str) -> Dict[str, Any]:
    """The meta.json of an installed package or a pipeline folder, read
    without loading the pipeline."""
    meta = spacy.util.load_meta(model_path(model) / "meta.json")
    return {"name": f"{meta['lang']}_{meta['name']}", "version": meta["version"], "pipeline": meta.get("pipeline", [])}


def model_digest(model: str) -> str:
    """A digest of every file of the pipeline (names and bytes): a pipeline
    trained again in place has another, whatever its name and version."""
    root = model_path(model)
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(root).as_posix().encode("utf8") + b"\x00")
        with path.open("rb") as data:
            for block in iter(lambda: data.read(1 << 20), b""):
                digest.update(block)
        digest.update(b"\x00")
    return digest.hexdigest()
