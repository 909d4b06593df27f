"""nerkit/benchmarks/serve_slow_clients.py: the counts of a scenario from its
connections' outcomes, and the scenarios against a real serve on 127.0.0.1
with short deadlines: every trickling and stalled connection closed with
its status, the header line over the limit refused, /health answered
throughout."""

import sys

import pytest

from nerkit.benchmarks.serve_slow_clients import SlowClientSettings, run_slow_clients, status_of, summary
from nerkit.benchmarks.server_process import running_server


def test_a_scenario_counts_statuses_and_the_connections_open_at_each_checkpoint():
    outcomes = [
        {"closed_after_seconds": 4.0, "status": 408},
        {"closed_after_seconds": 12.0, "status": 503},
        {"closed_after_seconds": None, "status": None},
    ]
    counted = summary(outcomes, window=25)
    assert counted["statuses"] == {"408": 1, "503": 1, "None": 1}
    assert counted["open_at_seconds"] == {"5": 2, "10": 2, "20": 1}
    assert (counted["closed_within_window"], counted["last_closed_after_seconds"]) == (2, 12.0)
    assert status_of(b"HTTP/1.1 431 Request Header Fields Too Large\r\n") == 431 and status_of(b"") is None


@pytest.mark.slow
def test_slow_clients_are_closed_by_the_deadlines_while_health_answers(ruler_model, script):
    options = [
        "--header-seconds", "1", "--body-first-byte-seconds", "1", "--body-min-bytes-per-second", "100000",
        "--max-header-bytes", "2000", "--max-buffered-bytes", "600000",
    ]  # fmt: skip
    settings = SlowClientSettings(
        trickling=6, trickle_seconds=0.3, stalled=4, promised_bytes=200_000, sent_bytes=50_000,
        big_header_bytes=5_000, window_seconds=30, settle_seconds=0.5,
    )  # fmt: skip
    with running_server([sys.executable, script("serve"), ruler_model, *options]) as (url, server):
        results = run_slow_clients(url, server, settings)
    assert results["slowloris"]["statuses"] == {"408": 6}
    # three bodies of 200,000 promised bytes fit the buffer of 600,000; the fourth is refused
    assert results["stalled_bodies"]["statuses"] == {"408": 3, "503": 1}
    assert results["big_header_line"]["statuses"] == {"431": 1}
    for name in ("slowloris", "stalled_bodies"):
        result = results[name]
        assert result["closed_within_window"] == result["connections"], (name, result)
        assert result["health"]["probes"] > 0 and result["health"]["failures"] == 0
        assert result["memory_mb_peak"] >= result["memory_mb_before"] > 0
