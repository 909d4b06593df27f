"""The page of scripts/serve.py in a real browser: headless Chromium (Debian's
chromium and chromium-driver, driven by selenium) opens it, types a
sentence, submits the form and reads the highlighted terms, which must be
those of POST /ents. Where CI is set, a missing Chromium fails the test."""

import os
from pathlib import Path

import httpx
import pytest

from serve_process import running_server

pytestmark = pytest.mark.slow

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
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    yield driver
    driver.quit()


def term_and_label(mark):
    """A displaCy mark holds the term, then its label in a span."""
    from selenium.webdriver.common.by import By

    label = mark.find_element(By.TAG_NAME, "span").get_attribute("textContent")
    content = mark.get_attribute("textContent")
    return " ".join(content[: content.rindex(label)].split()), label


def test_the_page_shows_the_terms_of_ents_in_a_real_browser(sm_model, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    with running_server(sm_model) as (url, _):
        (expected,) = httpx.post(f"{url}/ents", json={"texts": [SENTENCE]}).json()["results"]
        browser.get(f"{url}/")
        assert "Terms in your text" in browser.page_source
        browser.find_element(By.ID, "text").send_keys(SENTENCE)
        browser.find_element(By.ID, "find").click()
        WebDriverWait(browser, 30).until(expected_conditions.presence_of_element_located((By.ID, "result")))
        shown = [term_and_label(mark) for mark in browser.find_elements(By.CSS_SELECTOR, "#result mark.entity")]
        assert shown == [(ent["text"], ent["label"]) for ent in expected["ents"]] and shown
        assert browser.find_element(By.ID, "text").get_attribute("value") == SENTENCE
        screenshot = tmp_path / "serve_page.png"
        assert browser.save_screenshot(str(screenshot))
        assert screenshot.read_bytes().startswith(b"\x89PNG") and screenshot.stat().st_size > 10_000
