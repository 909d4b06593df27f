"""nerkit/benchmarks/client_io.py: the bytes a process reads, the input
files it opens and its peak memory, measured around real reads; a child
process's reads are not the client's."""

import subprocess
import sys
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


def test_the_reads_of_a_child_process_are_not_counted_on_the_client(tmp_path):
    data = tmp_path / "in" / "a.txt"
    data.parent.mkdir()
    data.write_bytes(b"x" * 20_000_000)
    reader = f"import time; open({str(data)!r}, 'rb').read(); time.sleep(0.5)"
    with client_io(str(tmp_path / "in")) as found:
        subprocess.run([sys.executable, "-c", reader], check=True)
    assert found["client_input_opens"] == 0 and found["client_read_bytes"] < 5_000_000
