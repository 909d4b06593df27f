"""nerkit/common/loading.py: a pipeline folder with the project's functions
loaded, its tokenizer alone, its meta read without loading it, one thread."""

from threadpoolctl import threadpool_limits

from nerkit.common.loading import load_pipeline, load_tokenizer, model_meta
from nerkit.common.machine import blas_threads


def ruler_folder(path, normalizing_nlp):
    nlp = normalizing_nlp()
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "TERM", "pattern": "k-means"}])
    nlp.meta["name"] = "terms"
    nlp.to_disk(path)
    return path


def test_a_folder_with_the_projects_tokenizer_loads_and_its_tokenizer_alone_runs_no_component(
    tmp_path, normalizing_nlp
):
    path = ruler_folder(tmp_path / "model", normalizing_nlp)
    nlp = load_pipeline(path)
    assert [e.text for e in nlp("we ran k-means").ents] == ["k-means"]
    tokenizer_only = load_tokenizer(path)
    assert tokenizer_only.pipe_names == [] and [t.text for t in tokenizer_only("k-means")] == ["k-means"]


def test_the_meta_is_read_without_loading_the_pipeline(tmp_path, normalizing_nlp):
    path = ruler_folder(tmp_path / "model", normalizing_nlp)
    assert model_meta(str(path)) == {"name": "en_terms", "version": "0.0.0", "pipeline": ["entity_ruler"]}


def test_one_thread_limits_numpys_blas_and_torch_in_this_process(tmp_path, normalizing_nlp):
    import torch

    blas, torch_threads = blas_threads(), torch.get_num_threads()
    try:
        load_pipeline(ruler_folder(tmp_path / "model", normalizing_nlp), one_thread=True)
        assert (blas_threads(), torch.get_num_threads()) == (1, 1)
    finally:  # the limit is for the process (annotate's workers): give this one its threads back
        threadpool_limits(blas)
        torch.set_num_threads(torch_threads)
