"""nerkit/benchmarks/server_process.py: a server command started on a free port of
127.0.0.1, waited for until /health answers, stopped on leaving; one that
fails to start raises with the end of its log."""

import sys
import urllib.request

import pytest

from nerkit.benchmarks.server_process import running_server

# a stand-in server that takes --port as the serve command does
HEALTH_SERVER = """
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

class Health(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok " + self.path.encode())

HTTPServer(("127.0.0.1", int(sys.argv[sys.argv.index("--port") + 1])), Health).serve_forever()
"""


def test_the_server_answers_on_its_port_and_is_stopped_on_leaving():
    with running_server([sys.executable, "-c", HEALTH_SERVER], timeout=60) as (url, server):
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(f"{url}/health", timeout=5) as answer:
            assert answer.read() == b"ok /health"
    assert server.poll() is not None


def test_a_server_that_exits_raises_with_its_log():
    with pytest.raises(RuntimeError, match=r"did not start:\n.*no such model"):
        with running_server([sys.executable, "-c", "import sys; sys.exit('no such model')"], timeout=60):
            pass
