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
answers 422 with its first problems, each naming its field (limits.py,
bodies.py). A full queue answers 503 with Retry-After, a request not
annotated within its deadline 504. Slow clients meet deadlines, and the
connections and the bodies held are bounded (connections.py, bodies.py).
Every answer carries the security headers (headers.py); a Host header
other than the bound address's (or the ones named) is refused (DNS
rebinding). POST /ents is answered in plain ASGI ahead of FastAPI
(ents_route.py). Nothing in a request chooses a model or a file.
"""

import json
import os
from dataclasses import asdict, dataclass, replace
from functools import partial
from typing import Any, Callable, Dict, List, Optional, Tuple
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
from nerkit.serving.batcher import LaneSettings, RequestBatcher
from nerkit.serving.bodies import BodySizeLimit
from nerkit.serving.connections import ConnectionLimits, GuardedHttpToolsProtocol
from nerkit.serving.ents_route import ANSWERED_ERRORS, EntsRoute, annotate_while_connected, ents_answer, error_answer
from nerkit.serving.headers import SecurityHeaders
from nerkit.serving.limits import RequestLimits, check_texts
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
    queues and batches, the deadlines and bounds of connections, the device
    and the Host headers accepted (empty: the bound address and localhost)."""

    model: str
    limits: RequestLimits = RequestLimits()
    lanes: LaneSettings = LaneSettings()
    connections: ConnectionLimits = ConnectionLimits()
    gpu_id: int = -1
    allowed_hosts: Tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, settings: Dict[str, Any]) -> "ServeSettings":
        """The settings as `asdict` gave them (handed to uvicorn's workers)."""
        return cls(
            model=settings["model"],
            limits=RequestLimits(**settings["limits"]),
            lanes=LaneSettings(**settings["lanes"]),
            connections=ConnectionLimits(**settings["connections"]),
            gpu_id=settings["gpu_id"],
            allowed_hosts=tuple(settings["allowed_hosts"]),
        )


def json_response(content: Any, status_code: int = 200, headers: Optional[Dict[str, str]] = None) -> Response:
    return Response(orjson.dumps(content), status_code=status_code, media_type="application/json", headers=headers)


def json_answer(status: int, content: bytes, headers: List[Tuple[bytes, bytes]]) -> Response:
    """An answer of ents_route (status, serialised JSON, ASGI headers) as a FastAPI response."""
    return Response(content, status, {name.decode(): value.decode() for name, value in headers}, "application/json")


def default_hosts(host: str) -> Tuple[str, ...]:
    """The Host headers a server bound to `host` accepts by default: that
    address and localhost; any, where it is bound to every interface."""
    if host in ("0.0.0.0", "::", ""):
        return ("*",)
    return tuple(dict.fromkeys((host, "127.0.0.1", "localhost", "::1")))


def create_app(settings: ServeSettings) -> Callable:
    """The app, with its pipeline loaded (once a lane) and its lanes started:
    the security headers on every answer, then the Host check, then the
    body's limits, then POST /ents in plain ASGI and FastAPI for the rest."""
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
    add_error_handlers(app)
    add_api_routes(app, batcher, served, settings.limits)
    add_page_routes(app, batcher, served, settings.limits)
    routes = EntsRoute(app, batcher, served["name"], settings.limits)
    hosts = list(settings.allowed_hosts or default_hosts("127.0.0.1"))
    return SecurityHeaders(TrustedHostMiddleware(BodySizeLimit(routes, settings.limits), allowed_hosts=hosts))


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
        return json_answer(*await ents_answer(batcher, name, limits, await request.body(), request.receive))

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
            (text_ents,) = await annotate_while_connected(batcher, request.receive, [text])
        except ANSWERED_ERRORS as error:
            status = error_answer(error)[0]
            return HTMLResponse(render_page(name, labels, text, None, str(error)), status_code=status)
        return HTMLResponse(render_page(name, labels, text, text_ents))


def add_error_handlers(app: FastAPI) -> None:
    """Every error as JSON that says what is wrong; never a traceback."""

    async def answered(request: Request, error: Exception) -> Response:
        return json_answer(*error_answer(error))

    for error_type in ANSWERED_ERRORS:
        app.add_exception_handler(error_type, answered)

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
        http=partial(GuardedHttpToolsProtocol, limits=settings.connections),
        access_log=False,
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
    )
