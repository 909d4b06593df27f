"""nerkit/benchmarks/serve_soak.py against a real serve on 127.0.0.1 with a
trained pipeline: requests of distinct words, the server's memory and
vocabulary traced, the vocabulary flat."""

import sys

import orjson
import pytest

from nerkit.benchmarks.distinct_words import distinct_word
from nerkit.benchmarks.serve_settings import SoakSettings
from nerkit.benchmarks.serve_soak import soak_body, soak_scenario
from nerkit.benchmarks.server_process import running_server


def test_a_body_holds_the_distinct_words_from_its_first():
    texts = orjson.loads(soak_body(10, texts=2, words_per_text=3))["texts"]
    assert texts == [
        " ".join(distinct_word(i) for i in range(10, 13)),
        " ".join(distinct_word(i) for i in range(13, 16)),
    ]


@pytest.mark.slow
def test_the_soak_sends_its_words_and_the_vocabulary_stays_flat(sm_model, script):
    with running_server([sys.executable, script("serve"), sm_model]) as (url, server):
        settings = SoakSettings(30_000, 50, 4, clients=2, seconds=300, flat_after_words=5_000, trace_every_words=5_000)
        result = soak_scenario(url, server, settings)
    assert result["words"] == 30_000 and result["statuses"] == {"200": 150}
    assert [point["words"] for point in result["trace"]][:2] == [0, 5_000] and result["trace"][-1]["words"] == 30_000
    assert result["memory_growth"]["strings_growth_after"] == 0
