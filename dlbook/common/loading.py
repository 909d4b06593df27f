"""The one way the project's code loads a pipeline: an installed package or a
pipeline folder (whose dlbook.* functions this module registers); its
tokenizer alone; its meta without loading it."""

from pathlib import Path
from typing import Any, Dict, Iterable, Union

import spacy
from spacy.language import Language
from spacy.util import load_config
from threadpoolctl import threadpool_limits

import dlbook.pipeline_functions  # noqa: F401 (pipeline folders of this project need the dlbook.* functions)


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


def model_meta(model: str) -> Dict[str, Any]:
    """The meta.json of an installed package or a pipeline folder, read
    without loading the pipeline."""
    path = Path(model) if Path(model).exists() else spacy.util.get_package_path(model)
    meta = spacy.util.load_meta(path / "meta.json")
    return {"name": f"{meta['lang']}_{meta['name']}", "version": meta["version"], "pipeline": meta.get("pipeline", [])}
