"""The REST API and page of a trained pipeline (FastAPI): the app, its
limits, the batching of requests that arrive together, the page, and the
server as a process on 127.0.0.1 for benchmarks and tests."""
