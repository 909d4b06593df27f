"""The one way the project's scripts load a pipeline: an installed package
or a pipeline folder (whose dlbook.* functions this module registers)."""

from typing import Iterable

import spacy
from spacy.language import Language

import pipeline_functions  # noqa: F401 (pipeline folders of this project need the dlbook.* functions)


def load_pipeline(model: str, gpu_id: int = -1, one_thread: bool = False, exclude: Iterable[str] = ()) -> Language:
    """spacy.load, on GPU `gpu_id` if it is 0 or more (spacy.require_gpu
    fails clearly where there is none). `one_thread` gives torch
    (transformer pipelines) one thread, for processes that share the cores."""
    if gpu_id >= 0:
        spacy.require_gpu(gpu_id)
    if one_thread:
        try:
            import torch
        except ImportError:
            pass
        else:
            torch.set_num_threads(1)
    return spacy.load(model, exclude=list(exclude))
