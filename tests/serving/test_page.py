"""dlbook/serving/page.py: the page, its text and its entities escaped, the
entities marked by displaCy."""

from dlbook.serving.page import render_page

NAME = {"name": "en_x", "version": "1.0"}


def test_the_empty_page_has_the_form_and_nothing_from_elsewhere():
    html = render_page(NAME, ["TERM"], "", None)
    assert '<form method="post" action="/">' in html and "en_x 1.0: labels TERM." in html
    assert 'id="result"' not in html and "<script" not in html and "http" not in html


def test_the_text_and_its_entities_are_escaped_and_marked():
    text = "a <b>model</b> & more"
    html = render_page(NAME, ["TERM"], text, [{"start": 5, "end": 10, "label": "TERM", "text": "model"}])
    assert html.count("<mark") == 1 and "1 terms found." in html
    assert "<b>" not in html and html.count("&lt;b&gt;") == 2  # in the box and in the result


def test_an_error_is_shown_escaped_instead_of_a_result():
    html = render_page(NAME, ["TERM"], "x", None, "over <the> limit")
    assert '<p class="error" id="error">over &lt;the&gt; limit</p>' in html and "<mark" not in html
