"""The one way the project's scripts load a pipeline: an installed package
or a pipeline folder (whose dlbook.* functions this module registers)."""

from typing import Iterable

import spacy
from spacy.language import Language
from threadpoolctl import threadpool_limits

import pipeline_functions  # noqa: F401 (pipeline folders of this project need the dlbook.* functions)


def load_pipeline(model: str, gpu_id: int = -1, one_thread: bool = False, exclude: Iterable[str] = ()) -> Language:
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
