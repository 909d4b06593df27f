"""nerkit/benchmarks/serve_profile.py: each of py-spy's samples put in one
place, the lanes' by the pipeline's part they are under and the event
loop's by the code they are in; shares of each thread's samples."""

import pytest

from nerkit.benchmarks.serve_profile import place_of, shares

LANE = "_bootstrap (threading.py:1);Lane._run (nerkit/serving/batcher.py:150)"
LOOP = "<module> (scripts/serve.py:1);Runner.run (asyncio/runners.py:118)"
RAW = "\n".join(
    [
        f"{LANE};_pipe (spacy/util.py:1763);minibatch (spacy/util.py:1710);make_doc (spacy/language.py:1124) 3",
        f"{LANE};_pipe (spacy/util.py:1763);Tok2Vec.predict (spacy/pipeline/tok2vec.py:120) 5",
        f"{LANE};_pipe (spacy/util.py:1763) 2",
        f"{LANE};Lane._take_batch (nerkit/serving/batcher.py:90);wait (threading.py:327) 10",
        f"{LOOP} 6",
        f"{LOOP};EntsRoute.__call__ (nerkit/serving/ents_route.py:90) 1",
        f"{LOOP};Route.matches (starlette/routing.py:267) 1",
        "garbage line",
    ]
)


def test_each_sample_has_one_place_in_its_thread():
    assert place_of(f"{LANE};_pipe (x:1);Tok2Vec.predict (x:2);make_doc (spacy/language.py:1)".split(";")) == (
        "lanes",
        "tokenizer",
    )
    assert place_of(f"{LOOP};HttpToolsProtocol.data_received (uvicorn/protocols/http/x.py:1)".split(";")) == (
        "event loop",
        "uvicorn (Python)",
    )
    assert place_of(["something (elsewhere.py:1)"]) == ("event loop", "other")


def test_shares_are_of_each_threads_samples():
    found = shares(RAW)
    assert found["lanes"]["samples"] == 20 and found["event loop"]["samples"] == 8
    assert found["lanes"]["shares"] == pytest.approx(
        {"tokenizer": 0.15, "tok2vec": 0.25, "ner": 0.1, "waiting for a batch": 0.5}
    )
    assert found["event loop"]["shares"] == pytest.approx(
        {"uvloop and C extensions": 0.75, "serve's own code": 0.125, "Starlette and FastAPI": 0.125}
    )
