"""The server as a real process on 127.0.0.1 and a free port, for the load
benchmark and the tests: the `serve` command (scripts/serve.py) started with
`--port`, waited for until /health answers, and stopped on leaving."""

import socket
import subprocess
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from typing import Iterator, Mapping, Optional, Sequence, Tuple


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_server(
    command: Sequence, timeout: float = 120, env: Optional[Mapping[str, str]] = None
) -> Iterator[Tuple[str, subprocess.Popen]]:
    """Runs `command` (the serve command line: python, scripts/serve.py, the
    model and options) on a free port, in `env` (this process's environment
    by default); yields the server's base URL and
    process once /health answers. A server that exits or does not answer in
    `timeout` s raises with the end of its log."""
    port = free_port()
    args = [*map(str, command), "--port", str(port)]
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            deadline = time.monotonic() + timeout
            while not _answers(f"{url}/health"):
                if server.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    tail = log.read().decode(errors="replace")[-4000:]
                    raise RuntimeError(f"{' '.join(args)}: the server did not start:\n{tail}")
                time.sleep(0.2)
            yield url, server
        finally:
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as answer:
            return answer.status == 200
    except OSError:
        return False
