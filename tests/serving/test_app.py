"""nerkit/serving/app.py with FastAPI's test client, on a real (rule-based)
spaCy pipeline folder: the API against nlp.pipe, the page, every bad input
and every limit, the security headers and the Host check, a full queue and
a deadline. No request gets a 500, and the app goes on serving."""

import json
import threading
import time

import pytest
import spacy
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.language import Language

from nerkit.serving.app import ServeSettings, create_app
from nerkit.serving.batcher import LaneSettings
from nerkit.serving.limits import RequestLimits

TEXTS = [
    "Lloyd's algorithm for K-Means and Fine-tuning by Gradient Descent.",
    "We train the model.",
    "No term here.",
    "",
    "A mo\u00addel, a ｍｏｄｅｌ and a MODEL.",
]
LIMITS = RequestLimits(max_text_chars=200, max_texts=8, max_body_bytes=4_000)


@pytest.fixture(scope="module")
def client(ruler_model):
    settings = ServeSettings(model=str(ruler_model), limits=LIMITS, allowed_hosts=("testserver",))
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def ent_record(ent):
    return {"start": ent.start_char, "end": ent.end_char, "label": ent.label_, "text": ent.text}


def expected_results(model_path, texts):
    nlp = spacy.load(model_path)
    return [
        {
            "text": text,
            "ents": [{"start": e.start_char, "end": e.end_char, "label": e.label_, "text": e.text} for e in doc.ents],
        }
        for text, doc in zip(texts, nlp.pipe(texts), strict=True)
    ]


def test_ents_are_those_of_nlp_pipe_with_offsets_into_each_text(client, ruler_model):
    response = client.post("/ents", json={"texts": TEXTS})
    assert response.status_code == 200
    body = response.json()
    assert body["model"] == {"name": "en_pipeline", "version": "0.0.0"}
    assert body["results"] == expected_results(ruler_model, TEXTS)
    found = [ent["text"] for result in body["results"] for ent in result["ents"]]
    assert found == ["K-Means", "Fine-tuning", "Descent", "model", "mo\u00addel", "ｍｏｄｅｌ", "MODEL"]
    for result in body["results"]:
        assert all(result["text"][e["start"] : e["end"]] == e["text"] for e in result["ents"])


def test_an_empty_list_gives_no_results(client):
    response = client.post("/ents", json={"texts": []})
    assert (response.status_code, response.json()["results"]) == (200, [])


def test_health_model_and_openapi(client):
    health = client.get("/health").json()
    assert health["status"] == "ok" and set(health["lanes"]) == {"fast", "bulk"}
    assert health["lanes"]["fast"]["alive"] and health["lanes"]["bulk"]["queued_chars"] == 0
    model = client.get("/model").json()
    assert model["name"] == "en_pipeline" and model["labels"] == ["TERM"]
    assert model["spacy_version"] == spacy.__version__ and model["performance"] == {"ents_f": 0.5}
    schema = client.get("/openapi.json").json()
    assert {"/ents", "/health", "/model", "/"} <= set(schema["paths"])
    assert "EntsResponse" in schema["components"]["schemas"]
    # FastAPI's /docs and /redoc load their scripts from a CDN: not served
    assert client.get("/docs").status_code == 404 and client.get("/redoc").status_code == 404


def post_raw(client, content: bytes, content_type="application/json"):
    return client.post("/ents", content=content, headers={"content-type": content_type})


BAD_BODIES = {
    "not JSON": (b"texts: model", "body"),
    "truncated JSON": (b'{"texts": ["model"', "body"),
    "not UTF-8": (b'{"texts": ["caf\xe9 model"]}', "body"),
    "a list": (b'["model"]', "body"),
    "no texts": (b'{"text": ["model"]}', "texts"),
    "texts a string": (b'{"texts": "model"}', "texts"),
    "texts null": (b'{"texts": null}', "texts"),
    "a number among the texts": (b'{"texts": ["model", 42]}', "texts.1"),
    "a lone surrogate": (b'{"texts": ["a \\ud800 model"]}', "body"),
    "a model asked for": (b'{"texts": ["model"], "model": "/etc/passwd"}', "model"),
}


@pytest.mark.parametrize("case", sorted(BAD_BODIES))
def test_a_bad_body_is_422_naming_the_field(client, case):
    content, field = BAD_BODIES[case]
    response = post_raw(client, content)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "invalid request" and field in [problem["field"] for problem in body["problems"]], body
    assert client.post("/ents", json={"texts": ["model"]}).status_code == 200  # still serving


def test_each_limit_is_413_naming_it(client):
    too_many = client.post("/ents", json={"texts": ["model"] * 9})
    assert too_many.status_code == 413 and too_many.json()["limit"] == "max_texts"
    assert too_many.json()["maximum"] == 8 and too_many.json()["found"] == 9
    too_long = client.post("/ents", json={"texts": ["ok", "model " * 40]})
    assert too_long.status_code == 413 and too_long.json()["limit"] == "max_text_chars"
    assert "text 1" in too_long.json()["error"]
    too_big = post_raw(client, json.dumps({"texts": ["x" * 100] * 50}).encode())
    assert too_big.status_code == 413 and too_big.json()["limit"] == "max_body_bytes"

    def chunks():  # no Content-Length: the bytes are counted as they come
        yield b'{"texts": ['
        for _ in range(200):  # 39 bytes each
            yield b'"model model model model model model", '
        yield b'"model"]}'

    streamed = client.post("/ents", content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413 and streamed.json()["limit"] == "max_body_bytes"
    assert client.post("/ents", json={"texts": ["model"] * 8}).status_code == 200  # at the limit: fine


def test_an_item_bomb_is_refused_by_its_count_and_its_problems_are_capped(ruler_model):
    roomy = RequestLimits(max_texts=100, max_body_bytes=2_000_000)
    with TestClient(
        create_app(ServeSettings(model=str(ruler_model), limits=roomy, allowed_hosts=("testserver",)))
    ) as c:
        bomb = post_raw(c, b'{"texts": [' + b",".join([b"1"] * 500_000) + b"]}")
        assert bomb.status_code == 413 and bomb.json()["limit"] == "max_texts" and bomb.json()["found"] == 500_000
        many = c.post("/ents", json={"texts": list(range(100))})
        assert many.status_code == 422 and len(many.json()["problems"]) == 10
        assert many.json()["problems_found"] == 100


def test_every_answer_carries_the_security_headers(client):
    answers = [
        client.get("/"),
        client.get("/page.css"),
        client.post("/ents", json={"texts": ["model"]}),
        client.post("/ents", json={"texts": ["model"] * 9}),
        post_raw(client, b"nope"),
        post_raw(client, b"x" * 5_000),
        client.get("/nothing"),
    ]
    for answer in answers:
        assert answer.headers["x-content-type-options"] == "nosniff", answer.url
        assert answer.headers["x-frame-options"] == "DENY"
        policy = answer.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy and "style-src 'self'" in policy


def test_a_host_header_other_than_the_allowed_ones_is_refused(client):
    assert client.get("/health", headers={"host": "attacker.example"}).status_code == 400
    assert client.get("/health", headers={"host": "testserver"}).status_code == 200


def test_unknown_paths_and_methods_are_json_errors(client):
    assert client.get("/nothing").status_code == 404 and client.get("/nothing").json() == {"error": "Not Found"}
    assert client.get("/ents").status_code == 405


def test_the_page_has_a_form_and_loads_nothing_from_elsewhere(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<form method="post" action="/">' in html and '<textarea name="text"' in html and "<button" in html
    assert "<script" not in html and "http://" not in html and "https://" not in html
    assert '<link rel="stylesheet" href="/page.css">' in html and "style=" not in html
    stylesheet = client.get("/page.css")
    assert stylesheet.headers["content-type"].startswith("text/css") and ".label-0 { background:" in stylesheet.text


def test_the_form_answers_with_the_terms_highlighted_by_displacy(client):
    text = "Fine-tuning of <b>the</b> K-Means & a model."
    (expected,) = client.post("/ents", json={"texts": [text]}).json()["results"]
    assert [ent["text"] for ent in expected["ents"]] == ["Fine-tuning", "K-Means", "model"]
    page = client.post("/", data={"text": text})
    assert page.status_code == 200
    html = page.text
    assert html.count("<mark") == 3 and "3 entities found." in html
    for ent in expected["ents"]:
        assert f'{ent["text"]}<span class="entity-label">TERM</span></mark>' in html  # the term, then its label
    assert "style=" not in html  # nothing inline: the policy allows the stylesheet only
    assert "&lt;b&gt;the&lt;/b&gt;" in html and "<b>" not in html  # escaped, in the box and the result
    assert "<script" not in html and "https://" not in html


def test_the_form_over_the_limit_says_so(client):
    page = client.post("/", data={"text": "model " * 40})
    assert page.status_code == 413 and "max_text_chars" in page.text


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
bodies = (
    json_values.map(lambda value: json.dumps(value).encode())
    | st.fixed_dictionaries({"texts": json_values}).map(lambda value: json.dumps(value).encode())
    | st.fixed_dictionaries({"texts": st.lists(st.text(max_size=40), max_size=10)}).map(
        lambda value: json.dumps(value).encode()
    )
    | st.binary(max_size=60)
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies)
def test_no_body_ever_gets_a_500(client, body):
    response = post_raw(client, body)
    assert response.status_code in (200, 413, 422), (body, response.status_code, response.text)
    assert response.headers["content-type"] == "application/json"
    if response.status_code == 200:
        assert len(response.json()["results"]) == len(json.loads(body)["texts"])


HELD = {"reached": threading.Event(), "open": threading.Event()}


@Language.component("hold_at_gate")
def hold_at_gate(doc):
    if doc.text == "hold":
        HELD["reached"].set()
        assert HELD["open"].wait(60), "the test never opened the gate"
    return doc


@pytest.fixture(scope="module")
def gated_model(tmp_path_factory, normalizing_nlp):
    """A pipeline whose text "hold" waits until the test opens the gate."""
    nlp = normalizing_nlp()
    nlp.add_pipe("hold_at_gate")
    path = tmp_path_factory.mktemp("gated") / "model"
    nlp.to_disk(path)
    return path


def wait_for(client, condition):
    """The fast lane's status once `condition` holds (a minute at most)."""
    deadline = time.monotonic() + 60
    while not condition(lane := client.get("/health").json()["lanes"]["fast"]):
        assert time.monotonic() < deadline, lane
    return lane


def hold_the_fast_lane(client, answers):
    HELD["reached"].clear()
    HELD["open"].clear()
    holder = threading.Thread(target=lambda: answers.append(client.post("/ents", json={"texts": ["hold"]})))
    holder.start()
    assert HELD["reached"].wait(60)
    return holder


def test_a_full_queue_is_503_with_retry_after_and_every_admitted_request_is_answered(gated_model):
    settings = ServeSettings(
        model=str(gated_model), lanes=LaneSettings(max_fast_queue_chars=20), allowed_hosts=("testserver",)
    )
    app = create_app(settings)
    with TestClient(app) as client:
        answers = []
        holder = hold_the_fast_lane(client, answers)
        admitted = threading.Thread(target=lambda: answers.append(client.post("/ents", json={"texts": ["x" * 16]})))
        admitted.start()
        wait_for(client, lambda lane: lane["queued_requests"] == 1)
        refused = client.post("/ents", json={"texts": ["a model"]})
        assert refused.status_code == 503 and int(refused.headers["retry-after"]) >= 1
        assert "fast queue holds 20 characters of its 20" in refused.json()["error"]
        HELD["open"].set()
        holder.join(60)
        admitted.join(60)
        assert [answer.status_code for answer in answers] == [200, 200]


def test_a_request_not_annotated_within_its_deadline_is_504_and_dropped(gated_model):
    settings = ServeSettings(
        model=str(gated_model), lanes=LaneSettings(request_seconds=0.05), allowed_hosts=("testserver",)
    )
    app = create_app(settings)
    with TestClient(app) as client:
        answers = []
        holder = hold_the_fast_lane(client, answers)
        late = client.post("/ents", json={"texts": ["a late text"]})
        assert late.status_code == 504 and "within 0.05 s" in late.json()["error"]
        HELD["open"].set()
        holder.join(60)
        assert answers[0].status_code == 504  # the held one too: its answer came after its deadline
        fast_lane = wait_for(client, lambda lane: lane["queued_chars"] == 0)
        assert fast_lane["dropped_requests"] == 1  # the late one, never annotated
