"""Serve a trained pipeline over HTTP, with FastAPI and uvicorn:

- `POST /ents` `{"texts": [...]}` -> `{"model": {"name", "version"},
  "results": [{"text", "ents": [{"start", "end", "label", "text"}]}]}`:
  character offsets into each text, displaCy's manual format, the entities
  of `nlp.pipe`;
- `GET /health`, `GET /model` (name, version, labels, spaCy version, the
  accuracy figures of the package's meta), `GET /openapi.json`;
- `GET /`: a page with a text box; its form is answered by the server with
  the terms highlighted by displaCy (no JavaScript, nothing loaded from
  elsewhere; FastAPI's /docs pages are left out, as they load from a CDN).

Requests that arrive together are annotated in one batch (batcher.py).
Limits on the characters of a text, the texts of a request and the bytes of
a body answer 413 with the limit's name; a body that is not the request
answers 422 with the field. Nothing in a request chooses a model or a file.
"""

import json
import os
from dataclasses import asdict, dataclass
from typing import Annotated, Any, Dict, List
from urllib.parse import parse_qs

import orjson
import spacy
import uvicorn
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import AfterValidator, BaseModel, ConfigDict
from starlette.exceptions import HTTPException

from dlbook.common.loading import load_pipeline
from dlbook.serving.batcher import RequestBatcher
from dlbook.serving.limits import BodySizeLimit, LimitExceeded, Limits, check_texts
from dlbook.serving.page import render_page

# how `serve` hands its settings to uvicorn's worker processes
SETTINGS_VARIABLE = "DLBOOK_SERVE_SETTINGS"
# uvicorn's supervisor kills a worker that does not answer its health ping
# within 5 s, and starts another; a new worker imports this module (spaCy)
# and loads the pipeline first, which takes longer on two busy cores, so with
# the default every worker was killed at start-up, over and over
WORKER_HEALTHCHECK_SECONDS = 60


def valid_unicode(text: str) -> str:
    try:
        text.encode("utf8")
    except UnicodeEncodeError:
        raise ValueError("holds a lone surrogate: not a Unicode text") from None
    return text


class EntsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    texts: List[Annotated[str, AfterValidator(valid_unicode)]]


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
class Settings:
    model: str
    limits: Limits = Limits()
    gpu_id: int = -1
    max_batch_texts: int = 512


def json_response(content: Any, status_code: int = 200) -> Response:
    return Response(orjson.dumps(content), status_code=status_code, media_type="application/json")


def create_app(settings: Settings) -> FastAPI:
    """The app, with its pipeline loaded and its batching thread started."""
    nlp = load_pipeline(settings.model, settings.gpu_id)
    batcher = RequestBatcher(nlp, settings.max_batch_texts)
    name = {"name": f"{nlp.meta['lang']}_{nlp.meta['name']}", "version": nlp.meta["version"]}
    labels = sorted({label for pipe_labels in nlp.pipe_labels.values() for label in pipe_labels})
    limits = settings.limits
    app = FastAPI(
        title=f"{name['name']} {name['version']}",
        description=nlp.meta.get("description", ""),
        docs_url=None,
        redoc_url=None,
    )
    app.add_middleware(BodySizeLimit, max_bytes=limits.max_body_bytes)
    add_error_handlers(app)

    @app.post("/ents", response_model=EntsResponse, responses={413: {"model": Problem}, 422: {"model": Problem}})
    async def ents(body: EntsRequest) -> Response:
        """The entities of each text, by character offsets."""
        check_texts(body.texts, limits)
        found = await batcher(body.texts)
        results = [{"text": text, "ents": text_ents} for text, text_ents in zip(body.texts, found, strict=True)]
        return json_response({"model": name, "results": results})

    @app.get("/health")
    async def health() -> Dict[str, str]:
        return {"status": "ok"}

    @app.get("/model")
    async def model() -> Dict[str, Any]:
        """What is served: the package's name, version, labels and accuracy."""
        return {
            **name,
            "labels": labels,
            "pipeline": nlp.pipe_names,
            "spacy_version": spacy.__version__,
            "performance": nlp.meta.get("performance", {}),
        }

    @app.get("/", response_class=HTMLResponse)
    async def page() -> HTMLResponse:
        return HTMLResponse(render_page(name, labels, "", None))

    @app.post("/", response_class=HTMLResponse)
    async def page_with_terms(request: Request) -> HTMLResponse:
        """The form's text with its terms highlighted (rendered here, no script)."""
        fields = parse_qs((await request.body()).decode("utf8", errors="replace"), errors="replace")
        text = fields.get("text", [""])[0]
        try:
            check_texts([text], limits)
        except LimitExceeded as error:
            return HTMLResponse(render_page(name, labels, text, None, error.message), status_code=413)
        (text_ents,) = await batcher([text])
        return HTMLResponse(render_page(name, labels, text, text_ents))

    return app


def describe(problem: Dict[str, Any]) -> Dict[str, str]:
    """A validation problem as the field it is about (`texts.1`) and what is
    wrong with it."""
    if problem["type"] == "json_invalid":  # its location is a character position
        detail = problem.get("ctx", {}).get("error", "")
        return {"field": "body", "message": f"not JSON: {detail} at character {problem['loc'][-1]}"}
    return {"field": ".".join(str(part) for part in problem["loc"][1:]) or "body", "message": problem["msg"]}


def add_error_handlers(app: FastAPI) -> None:
    """Every error as JSON that says what is wrong; never a traceback."""

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        return json_response({"error": "invalid request", "problems": [describe(p) for p in error.errors()]}, 422)

    @app.exception_handler(LimitExceeded)
    async def too_large(request: Request, error: LimitExceeded) -> Response:
        return json_response(error.to_dict(), 413)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        if error.status_code == 400:  # FastAPI could not read the body as JSON (e.g. not UTF-8)
            problem = {"field": "body", "message": f"not JSON: {error.detail}"}
            return json_response({"error": "invalid request", "problems": [problem]}, 422)
        return json_response({"error": str(error.detail)}, error.status_code)

    @app.exception_handler(Exception)
    async def internal(request: Request, error: Exception) -> Response:
        return JSONResponse({"error": "internal error"}, status_code=500)


def app_from_environment() -> FastAPI:
    """uvicorn's factory in each worker process: the settings `main` left."""
    settings = json.loads(os.environ[SETTINGS_VARIABLE])
    return create_app(Settings(**{**settings, "limits": Limits(**settings["limits"])}))


def serve(settings: Settings, host: str, port: int, workers: int) -> None:
    """Run uvicorn with `workers` processes, each building the app from the
    settings (handed on in the environment)."""
    os.environ[SETTINGS_VARIABLE] = json.dumps(asdict(settings))
    uvicorn.run(
        "dlbook.serving.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
    )
