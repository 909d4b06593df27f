"""nerkit/benchmarks/serve_hostile.py against a real serve on 127.0.0.1 with a
trained pipeline and small limits: every hostile body answered with its 4xx
and read by a Python client, small requests answered beside big ones, a full
queue refusing with 503 and Retry-After while every admitted request is
answered."""

import sys

import pytest

from nerkit.benchmarks.serve_hostile import big_and_small_scenario, oversize_scenario, queue_full_scenario
from nerkit.benchmarks.serve_settings import HostileSettings, LoadSettings
from nerkit.benchmarks.server_process import running_server

pytestmark = pytest.mark.slow

SENTENCES = ["We train the model with gradient descent.", "A kernel and a neural network."]


@pytest.fixture(scope="module")
def small_server(sm_model, script):
    options = ["--max-body-bytes", "200000", "--max-text-chars", "20000", "--max-queue-chars", "60000"]
    with running_server([sys.executable, script("serve"), sm_model, *options]) as (url, server):
        yield url, server


def test_each_hostile_body_gets_its_4xx_and_a_python_client_reads_it(small_server):
    url, server = small_server
    results = oversize_scenario(url, server, max_body_bytes=200_000, max_text_chars=20_000)
    assert results["item_bomb_10mb"]["body_bytes"] <= 200_000
    assert results["over_body_limit_urllib"]["body_bytes"] > 2 * 200_000
    for name, result in results.items():
        assert result["read_by_python_client"], (name, result)
        assert result["status"] == result["expected_status"], (name, result)
        assert result["memory_mb_peak"] >= result["memory_mb_before"] > 0


def test_small_requests_are_answered_while_big_ones_are_sent(small_server):
    url, server = small_server
    hostile = HostileSettings(max_body_bytes=200_000, max_text_chars=20_000, big_texts=5, big_text_chars=19_000)
    result = big_and_small_scenario(
        url, server, SENTENCES, hostile, LoadSettings(clients=3, seconds=3, max_requests=200)
    )
    assert result["small"]["statuses"].get("200", 0) > 0 and set(result["small"]["statuses"]) == {"200"}
    assert result["big"]["statuses"].get("200", 0) >= 1
    assert set(result["small"]["latency_ms"]) == {"p50", "p95", "p99"}


def test_a_full_queue_refuses_with_503_and_answers_every_admitted_request(small_server):
    url, server = small_server
    result = queue_full_scenario(url, server, SENTENCES, clients=8, request_chars=19_000)
    # 8 requests of 19,000 characters against a bulk queue of 60,000: some wait, the rest are refused
    assert result["statuses"].get("503", 0) >= 1 and result["statuses"].get("200", 0) >= 3
    assert set(result["statuses"]) == {"200", "503"} and result["other_5xx"] == 0
    assert result["every_admitted_request_answered"]
    assert result["refused_with_retry_after"] == result["statuses"]["503"]
