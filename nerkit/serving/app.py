"""Serve a trained pipeline over HTTP, with FastAPI and uvicorn:

- `POST /ents` `{"texts": [...]}` -> `{"model": {"name", "version"},
  "results": [{"text", "ents": [{"start", "end", "label", "text"}]}]}`:
  character offsets into each text, displaCy's manual format, the entities
  of `nlp.pipe`;
- `GET /health`, `GET /model` (name, version, labels, spaCy version, the
  accuracy figures of the package's meta), `GET /openapi.json`;
- `GET /`: a page with a text box; its form is answered by the server with
  the entities highlighted by displaCy (no JavaScript, nothing loaded from
  elsewhere; FastAPI's /docs pages are left out, as they load from a CDN).

Requests that arrive together are annotated in one batch, short requests
in a lane of their own (batcher.py). Limits on the bytes of a body, the
texts of a request and their characters answer 413 with the limit's name,
before work that grows with the body; a body that is not the request
answers 422 with its first problems, each naming its field (limits.py). A
full queue answers 503 with Retry-After, a request not annotated within its
deadline 504. Every answer carries the security headers (headers.py); a
Host header other than the bound address's (or the ones named) is refused
(DNS rebinding). Nothing in a request chooses a model or a file.
"""

import asyncio
import json
import os
from dataclasses import asdict, dataclass, replace
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import parse_qs

import orjson
import spacy
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from nerkit.common.loading import load_pipeline
from nerkit.serving.batcher import DeadlineExceeded, LaneSettings, QueueFull, RequestBatcher, TextFailed
from nerkit.serving.headers import SecurityHeaders
from nerkit.serving.limits import (
    BodySizeLimit,
    InvalidRequest,
    LimitExceeded,
    RequestLimits,
    check_texts,
    read_texts,
)
from nerkit.serving.page import page_stylesheet, render_page

# how `serve` hands its settings to uvicorn's worker processes
SETTINGS_VARIABLE = "NERKIT_SERVE_SETTINGS"
# uvicorn's supervisor replaces a worker that does not answer its health ping
# in time (5 s by default); a new worker loads the pipeline before it can
# answer, which takes longer than that on busy cores
WORKER_HEALTHCHECK_SECONDS = 60


class EntsRequest(BaseModel):
    """The body of POST /ents, for the OpenAPI schema (read by limits.read_texts)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    texts: List[str]


class Entity(BaseModel):
    start: int
    end: int
    label: str
    text: str


class Result(BaseModel):
    text: str
    ents: List[Entity]


class ModelName(BaseModel):
    name: str
    version: str


class EntsResponse(BaseModel):
    model: ModelName
    results: List[Result]


class Problem(BaseModel):
    error: str
    problems: List[Dict[str, Any]] = []
    limit: str = ""
    maximum: int = 0
    found: int = 0


@dataclass(frozen=True)
class ServeSettings:
    """What a server runs: the pipeline, the limits of a request, the lanes'
    queues and batches, the device and the Host headers accepted (empty: the
    bound address and localhost)."""

    model: str
    limits: RequestLimits = RequestLimits()
    lanes: LaneSettings = LaneSettings()
    gpu_id: int = -1
    allowed_hosts: Tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, settings: Dict[str, Any]) -> "ServeSettings":
        """The settings as `asdict` gave them (handed to uvicorn's workers)."""
        return cls(
            model=settings["model"],
            limits=RequestLimits(**settings["limits"]),
            lanes=LaneSettings(**settings["lanes"]),
            gpu_id=settings["gpu_id"],
            allowed_hosts=tuple(settings["allowed_hosts"]),
        )


def json_response(content: Any, status_code: int = 200, headers: Optional[Dict[str, str]] = None) -> Response:
    return Response(orjson.dumps(content), status_code=status_code, media_type="application/json", headers=headers)


def default_hosts(host: str) -> Tuple[str, ...]:
    """The Host headers a server bound to `host` accepts by default: that
    address and localhost; any, where it is bound to every interface."""
    if host in ("0.0.0.0", "::", ""):
        return ("*",)
    return tuple(dict.fromkeys((host, "127.0.0.1", "localhost", "::1")))


async def client_gone(request: Request) -> None:
    """Returns when the client hangs up (the body is read already, so the
    next message can only be the disconnect)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


def create_app(settings: ServeSettings) -> FastAPI:
    """The app, with its pipeline loaded (once a lane) and its lanes started."""
    batcher = RequestBatcher(lambda: load_pipeline(settings.model, settings.gpu_id), settings.lanes)
    nlp = batcher.fast.nlp
    served = {
        "name": {"name": f"{nlp.meta['lang']}_{nlp.meta['name']}", "version": nlp.meta["version"]},
        "labels": sorted({label for pipe_labels in nlp.pipe_labels.values() for label in pipe_labels}),
        "pipeline": nlp.pipe_names,
        "performance": nlp.meta.get("performance", {}),
    }
    app = FastAPI(
        title=f"{served['name']['name']} {served['name']['version']}",
        description=nlp.meta.get("description", ""),
        docs_url=None,
        redoc_url=None,
    )
    # outermost first: headers on every answer, then the Host check, then the body limit
    app.add_middleware(BodySizeLimit, limits=settings.limits)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(settings.allowed_hosts or default_hosts("127.0.0.1")))
    app.add_middleware(SecurityHeaders)
    add_error_handlers(app)
    add_api_routes(app, batcher, served, settings.limits)
    add_page_routes(app, batcher, served, settings.limits)
    return app


async def annotate_request(batcher: RequestBatcher, request: Request, texts: List[str]) -> List[Any]:
    """The entities of the texts; the request is dropped if its client hangs up."""
    gone = asyncio.ensure_future(client_gone(request))
    try:
        return await batcher(texts, gone)
    finally:
        gone.cancel()


def add_api_routes(app: FastAPI, batcher: RequestBatcher, served: Dict[str, Any], limits: RequestLimits) -> None:
    """POST /ents, GET /health and GET /model."""
    name = served["name"]
    request_schema = {"content": {"application/json": {"schema": EntsRequest.model_json_schema()}}, "required": True}

    @app.post(
        "/ents",
        response_model=EntsResponse,
        openapi_extra={"requestBody": request_schema},
        responses={
            413: {"model": Problem},
            422: {"model": Problem},
            503: {"model": Problem, "description": "The queue is full: retry after the Retry-After header's seconds"},
            504: {"model": Problem, "description": "Not annotated within the request deadline"},
        },
    )
    async def ents(request: Request) -> Response:
        """The entities of each text, by character offsets."""
        texts = read_texts(await request.body(), limits)
        found = await annotate_request(batcher, request, texts)
        results = [{"text": text, "ents": text_ents} for text, text_ents in zip(texts, found, strict=True)]
        return json_response({"model": name, "results": results})

    @app.get("/health")
    async def health() -> Response:
        """ok while both lanes' threads run; the depth of their queues."""
        status = "ok" if batcher.alive else "failing"
        return json_response({"status": status, "lanes": batcher.status()}, 200 if batcher.alive else 503)

    @app.get("/model")
    async def model() -> Dict[str, Any]:
        """What is served: the package's name, version, labels and accuracy."""
        return {
            **name,
            "labels": served["labels"],
            "pipeline": served["pipeline"],
            "spacy_version": spacy.__version__,
            "performance": served["performance"],
        }


PAGE_ERRORS = {LimitExceeded: 413, QueueFull: 503, DeadlineExceeded: 504}


def add_page_routes(app: FastAPI, batcher: RequestBatcher, served: Dict[str, Any], limits: RequestLimits) -> None:
    """GET / (the form), POST / (the form's text with its entities
    highlighted, rendered here, no script) and its stylesheet."""
    name, labels = served["name"], served["labels"]
    stylesheet = page_stylesheet(labels)

    @app.get("/page.css", include_in_schema=False)
    async def page_css() -> Response:
        return Response(stylesheet, media_type="text/css")

    @app.get("/", response_class=HTMLResponse)
    async def page() -> HTMLResponse:
        return HTMLResponse(render_page(name, labels, "", None))

    @app.post("/", response_class=HTMLResponse)
    async def page_with_entities(request: Request) -> HTMLResponse:
        """The form's text with its entities highlighted."""
        fields = parse_qs((await request.body()).decode("utf8", errors="replace"), errors="replace")
        text = fields.get("text", [""])[0]
        try:
            check_texts([text], limits)
            (text_ents,) = await annotate_request(batcher, request, [text])
        except tuple(PAGE_ERRORS) as error:
            return HTMLResponse(render_page(name, labels, text, None, str(error)), status_code=PAGE_ERRORS[type(error)])
        return HTMLResponse(render_page(name, labels, text, text_ents))


def add_error_handlers(app: FastAPI) -> None:
    """Every error as JSON that says what is wrong; never a traceback."""

    @app.exception_handler(InvalidRequest)
    async def invalid_body(request: Request, error: InvalidRequest) -> Response:
        return json_response(error.to_dict(), 422)

    @app.exception_handler(LimitExceeded)
    async def too_large(request: Request, error: LimitExceeded) -> Response:
        return json_response(error.to_dict(), 413)

    @app.exception_handler(QueueFull)
    async def queue_full(request: Request, error: QueueFull) -> Response:
        return json_response({"error": str(error)}, 503, headers={"Retry-After": str(error.retry_after)})

    @app.exception_handler(DeadlineExceeded)
    async def too_late(request: Request, error: DeadlineExceeded) -> Response:
        return json_response({"error": str(error)}, 504)

    @app.exception_handler(TextFailed)
    async def text_failed(request: Request, error: TextFailed) -> Response:
        return json_response({"error": str(error)}, 500)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        return json_response({"error": str(error.detail)}, error.status_code)

    @app.exception_handler(Exception)
    async def internal(request: Request, error: Exception) -> Response:
        return JSONResponse({"error": "internal error"}, status_code=500)


def app_from_environment() -> FastAPI:
    """uvicorn's factory in each worker process: the settings `serve` left."""
    return create_app(ServeSettings.from_dict(json.loads(os.environ[SETTINGS_VARIABLE])))


def serve(settings: ServeSettings, host: str, port: int, workers: int) -> None:
    """Run uvicorn with `workers` processes, each building the app from the
    settings (handed on in the environment), accepting the Host headers of
    the bound address unless the settings name others."""
    settings = replace(settings, allowed_hosts=settings.allowed_hosts or default_hosts(host))
    os.environ[SETTINGS_VARIABLE] = json.dumps(asdict(settings))
    uvicorn.run(
        "nerkit.serving.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
    )
