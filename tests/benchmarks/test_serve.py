"""nerkit/benchmarks/serve.py: the load of concurrent clients, bounded in
requests, against a stand-in server on 127.0.0.1."""

import asyncio
import sys

from nerkit.benchmarks.serve import load_test
from nerkit.benchmarks.serve_settings import LoadSettings
from nerkit.benchmarks.server_process import running_server

# answers /health, and POST /ents as serve does (a body that starts with {"model"), or 500 for "fail"
STAND_IN = """
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Server(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()

    def do_POST(self):
        body = self.rfile.read(int(self.headers["content-length"]))
        self.send_response(500 if b"fail" in body else 200)
        self.send_header("content-length", "13")
        self.end_headers()
        self.wfile.write(b'{"model": {}}')

    def log_message(self, *args):
        pass

ThreadingHTTPServer(("127.0.0.1", int(sys.argv[sys.argv.index("--port") + 1])), Server).serve_forever()
"""


def test_clients_send_until_the_request_bound_and_count_words_and_errors():
    bodies, words = [b'{"texts": ["a model"]}', b'{"texts": ["fail"]}'], [2, 1]
    with running_server([sys.executable, "-c", STAND_IN], timeout=60) as (url, server):
        load = LoadSettings(seconds=120, max_requests=40)
        result = asyncio.run(load_test(f"{url}/ents", bodies, words, 4, load, server))
    # 40 requests in turns: 20 answered, 20 refused with 500
    assert (result["requests"], result["errors"]) == (20, {"500": 20})
    assert result["words_per_second"] == 40 / result["seconds"]
    assert set(result["latency_ms"]) == {"p50", "p95", "p99"} and result["server_memory_mb_each_second"]
