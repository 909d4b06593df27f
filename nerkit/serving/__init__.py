"""The REST API and page of a trained pipeline (FastAPI): the app, the limits
of a request, the batching of requests that arrive together in lanes, the
page and the security headers."""
