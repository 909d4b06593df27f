"""nerkit/benchmarks/client_io.py: the bytes a process reads, the input
files it opens and its peak memory, measured around real reads."""

import time

from nerkit.benchmarks.client_io import client_io


def test_reads_opens_and_peak_memory_are_counted_for_the_run_only(tmp_path):
    data = tmp_path / "in" / "a.txt"
    data.parent.mkdir()
    data.write_bytes(b"x" * 3_000_000)
    (tmp_path / "other.txt").write_bytes(b"y" * 10)
    with client_io(str(tmp_path / "in")) as found:
        assert data.read_bytes()[:1] == b"x"
        (tmp_path / "other.txt").read_bytes()
        held = bytearray(64 * 2**20)  # 64 MB held while the sampler looks
        time.sleep(0.2)
        del held
    assert found["client_input_opens"] == 1  # other.txt lies outside the input
    assert found["client_read_bytes"] >= 3_000_000
    assert found["client_peak_rss_mb"] > 64
    with client_io(str(tmp_path / "in")) as again:
        pass
    assert again["client_input_opens"] == 0 and again["client_read_bytes"] < 3_000_000
