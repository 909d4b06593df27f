"""scripts/serve.py as a real uvicorn server on 127.0.0.1, with a trained
pipeline: the API as nlp.pipe gives it, the limits from the command line, a
refused body whose 413 a Python client reads, the security headers and the
Host check, a worker killed under load that is replaced while the server
goes on answering, and the page in a real browser, hostile labels and text
included, under its Content-Security-Policy."""

import json
import os
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import httpx
import psutil
import pytest

from nerkit.benchmarks.server_process import running_server
from nerkit.common.loading import load_pipeline
from nerkit.serving.app import WORKER_HEALTHCHECK_SECONDS

pytestmark = pytest.mark.slow

TEXTS = ["Lloyd's algorithm for K-Means and Fine-tuning by Gradient Descent.", "We train the model with k-means."]


def test_api_and_limits_of_a_real_server(sm_model, script):
    nlp = load_pipeline(sm_model)
    expected = [[(e.start_char, e.end_char, e.label_, e.text) for e in doc.ents] for doc in nlp.pipe(TEXTS)]
    options = ["--max-texts", "3", "--max-text-chars", "500", "--max-body-bytes", "2000"]
    with running_server([sys.executable, script("serve"), sm_model, *options]) as (url, _):
        with httpx.Client(base_url=url) as client:
            body = client.post("/ents", json={"texts": TEXTS}).json()
            found = [[(e["start"], e["end"], e["label"], e["text"]) for e in r["ents"]] for r in body["results"]]
            assert found == expected and any(expected)
            assert client.get("/model").json()["labels"] == ["TERM"]
            assert client.post("/ents", json={"texts": ["x"] * 4}).json()["limit"] == "max_texts"
            assert client.post("/ents", json={"texts": ["x" * 501]}).json()["limit"] == "max_text_chars"
            big = client.post("/ents", content=b'{"texts": ["' + b"x" * 3000 + b'"]}')
            assert (big.status_code, big.json()["limit"]) == (413, "max_body_bytes")
            assert client.post("/ents", content=b"{not json").status_code == 422
            health = client.get("/health").json()
            assert health["status"] == "ok" and health["lanes"]["fast"]["alive"] and health["lanes"]["bulk"]["alive"]
            answer = client.get("/health")
            assert answer.headers["x-content-type-options"] == "nosniff" and "content-security-policy" in answer.headers
            assert client.get("/health", headers={"host": "attacker.example"}).status_code == 400
            assert client.get("/health", headers={"host": f"localhost:{url.rsplit(':', 1)[1]}"}).status_code == 200


def test_a_python_client_reads_the_413_of_a_body_it_sends_whole(sm_model, script):
    body = b'{"texts": ["' + b"model " * 500_000 + b'"]}'  # 3 MB against a limit of 2,000 bytes
    with running_server([sys.executable, script("serve"), sm_model, "--max-body-bytes", "2000"]) as (url, _):
        for _ in range(3):
            request = urllib.request.Request(f"{url}/ents", data=body, headers={"Content-Type": "application/json"})
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(request, timeout=30)
            assert refused.value.code == 413
            assert json.loads(refused.value.read())["limit"] == "max_body_bytes"
        assert httpx.post(f"{url}/ents", json={"texts": ["a model"]}).status_code == 200


def workers(server) -> set:
    """uvicorn's worker processes (multiprocessing children that serve)."""
    found = set()
    for child in psutil.Process(server.pid).children():
        try:  # a killed worker stays a zombie until uvicorn reaps it
            if child.status() != psutil.STATUS_ZOMBIE and "spawn_main" in " ".join(child.cmdline()):
                found.add(child.pid)
        except psutil.NoSuchProcess:
            continue
    return found


def test_a_worker_killed_under_load_is_replaced_and_the_server_keeps_answering(sm_model, script):
    with running_server([sys.executable, script("serve"), sm_model, "--workers", "2"]) as (url, server):
        deadline = time.monotonic() + 60
        while len(workers(server)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        before = workers(server)
        assert len(before) == 2
        outcomes = []
        stop = threading.Event()

        def client_loop():
            # no keep-alive: each request a new connection, which the kernel
            # hands to a live worker
            with httpx.Client(limits=httpx.Limits(max_keepalive_connections=0), timeout=10) as client:
                while not stop.is_set():
                    try:
                        status = client.post(f"{url}/ents", json={"texts": TEXTS}).status_code
                    except httpx.TransportError:
                        status = None
                    outcomes.append((time.monotonic(), status))

        clients = [threading.Thread(target=client_loop) for _ in range(4)]
        for thread in clients:
            thread.start()
        try:
            time.sleep(2)
            victim = min(before)
            killed_at = time.monotonic()
            os.kill(victim, signal.SIGKILL)
            # uvicorn's supervisor sees the death at its next health ping, or,
            # when the kill lands while a ping to the victim is in flight (it
            # keeps the pipe's other end open, so no EOF), once that ping
            # times out; the new worker then imports spaCy and loads the model
            # one snapshot per look: two could see the victim alive, then gone
            deadline = time.monotonic() + WORKER_HEALTHCHECK_SECONDS + 60
            now = workers(server)
            while (len(now) < 2 or victim in now) and time.monotonic() < deadline:
                time.sleep(0.2)
                now = workers(server)
            replaced_at = time.monotonic()
            time.sleep(3)
        finally:
            stop.set()
            for thread in clients:
                thread.join()
    assert len(now) == 2 and victim not in now and now & before, f"no new worker in time: {before} -> {now}"
    assert all(status == 200 for at, status in outcomes if at < killed_at), "errors before the kill"
    # only the requests that the killed worker held may fail: at most one a client
    failed = [at for at, status in outcomes if status != 200]
    assert len(failed) <= 4, failed
    assert sum(1 for at, status in outcomes if at > replaced_at and status == 200) > 10


CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SENTENCE = "Lloyd's algorithm for K-Means and Fine-tuning by Gradient Descent."


@pytest.fixture
def browser(tmp_path):
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.exists()]
    if missing:
        message = f"{', '.join(missing)} missing: apt-get install chromium chromium-driver"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    # offline machine: no background requests to Google's hosts
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        "--window-size=1200,900",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # the console, where CSP reports
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    yield driver
    driver.quit()


def term_and_label(mark):
    """A displaCy mark holds the term, then its label in a span."""
    from selenium.webdriver.common.by import By

    label = mark.find_element(By.TAG_NAME, "span").get_attribute("textContent")
    content = mark.get_attribute("textContent")
    return " ".join(content[: content.rindex(label)].split()), label


def test_the_page_shows_the_terms_of_ents_in_a_real_browser(sm_model, browser, tmp_path, script):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    with running_server([sys.executable, script("serve"), sm_model]) as (url, _):
        (expected,) = httpx.post(f"{url}/ents", json={"texts": [SENTENCE]}).json()["results"]
        browser.get(f"{url}/")
        assert "Entities in your text" in browser.page_source
        browser.find_element(By.ID, "text").send_keys(SENTENCE)
        browser.find_element(By.ID, "find").click()
        WebDriverWait(browser, 30).until(expected_conditions.presence_of_element_located((By.ID, "result")))
        shown = [term_and_label(mark) for mark in browser.find_elements(By.CSS_SELECTOR, "#result mark.entity")]
        assert shown == [(ent["text"], ent["label"]) for ent in expected["ents"]] and shown
        assert browser.find_element(By.ID, "text").get_attribute("value") == SENTENCE
        screenshot = tmp_path / "serve_page.png"
        assert browser.save_screenshot(str(screenshot))
        assert screenshot.read_bytes().startswith(b"\x89PNG") and screenshot.stat().st_size > 10_000


HOSTILE_LABEL = "<img src=x onerror=alert(1)>"


@pytest.fixture
def hostile_label_model(tmp_path):
    """A pipeline folder whose entity label is markup, as a user's corpus
    may hold."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns([{"label": HOSTILE_LABEL, "pattern": "model"}])
    nlp.to_disk(tmp_path / "hostile")
    return tmp_path / "hostile"


def test_hostile_labels_and_text_stay_text_under_the_pages_policy(hostile_label_model, browser, script):
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    text = "a model <script>alert(2)</script> and <img src=y onerror=alert(3)>"
    with running_server([sys.executable, script("serve"), hostile_label_model]) as (url, _):
        browser.get(f"{url}/")
        browser.find_element(By.ID, "text").send_keys(text)
        browser.find_element(By.ID, "find").click()
        WebDriverWait(browser, 30).until(expected_conditions.presence_of_element_located((By.ID, "result")))
        with pytest.raises(NoAlertPresentException):
            browser.switch_to.alert.accept()  # no script ran
        (mark,) = browser.find_elements(By.CSS_SELECTOR, "#result mark.entity")
        assert term_and_label(mark) == ("model", HOSTILE_LABEL)  # the label shown as text
        assert not browser.find_elements(By.CSS_SELECTOR, "#result img, #result script")
        assert HOSTILE_LABEL in browser.find_element(By.TAG_NAME, "body").text
        # the stylesheet applied under the policy: the mark has its colour
        assert mark.value_of_css_property("background-color") not in ("rgba(0, 0, 0, 0)", "transparent")
        violations = [e["message"] for e in browser.get_log("browser") if "Content Security Policy" in e["message"]]
        assert not violations, violations
        # the console does report a violation: an inline style, which the policy forbids
        browser.execute_script("""document.body.insertAdjacentHTML('beforeend', '<p style="color: red">x</p>')""")
        reported = [e["message"] for e in browser.get_log("browser") if "Content Security Policy" in e["message"]]
        assert reported, "the browser's console reports no violation, so its silence above proves nothing"
