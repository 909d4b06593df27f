"""nerkit/serving/page.py: the page, its text and its entities escaped, the
entities marked by displaCy."""

from nerkit.serving.page import label_classes, page_stylesheet, render_page

NAME = {"name": "en_x", "version": "1.0"}


def test_the_empty_page_has_the_form_and_nothing_from_elsewhere():
    html = render_page(NAME, ["TERM"], "", None)
    assert '<form method="post" action="/">' in html and "en_x 1.0: labels TERM." in html
    assert 'id="result"' not in html and "<script" not in html and "http" not in html


def test_the_text_and_its_entities_are_escaped_and_marked():
    text = "a <b>model</b> & more"
    html = render_page(NAME, ["TERM"], text, [{"start": 5, "end": 10, "label": "TERM", "text": "model"}])
    assert html.count("<mark") == 1 and "1 entities found." in html
    assert "<b>" not in html and html.count("&lt;b&gt;") == 2  # in the box and in the result


def test_an_error_is_shown_escaped_instead_of_a_result():
    html = render_page(NAME, ["TERM"], "x", None, "over <the> limit")
    assert '<p class="error" id="error">over &lt;the&gt; limit</p>' in html and "<mark" not in html


HOSTILE = "<img src=x onerror=alert(1)>"


def test_a_hostile_label_and_text_are_text_on_the_page_and_nothing_is_inline():
    text = "a model <script>alert(2)</script>"
    html = render_page(NAME, ["TERM", HOSTILE], text, [{"start": 2, "end": 7, "label": HOSTILE, "text": "model"}])
    assert "<img" not in html and "<script" not in html
    assert html.count("&lt;img src=x onerror=alert(1)&gt;") == 2  # in the labels line and on the mark
    assert "style=" not in html and "<style" not in html


def test_the_stylesheet_gives_each_label_the_colour_of_its_class():
    classes = label_classes(["TERM", HOSTILE])
    css = page_stylesheet(["TERM", HOSTILE])
    html = render_page(NAME, ["TERM", HOSTILE], "a model", [{"start": 2, "end": 7, "label": "TERM", "text": "model"}])
    assert f'class="entity {classes["TERM"]}"' in html
    assert f".{classes['TERM']} {{ background: " in css and "<" not in css
