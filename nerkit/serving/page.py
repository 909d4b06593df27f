"""The page of `serve`: a form whose text comes back with its entities
highlighted by displaCy, rendered on the server. No script, no inline style,
nothing from elsewhere, so that the page satisfies the Content-Security-Policy
of headers.py: colours come from the served stylesheet by class, and every
value on the page is escaped (displaCy escapes the text but inserts labels
as they are, so labels are escaped before they reach it)."""

from html import escape
from typing import Any, Dict, List

from spacy import displacy
from spacy.displacy.templates import TPL_ENTS

from nerkit.common.entities import label_colors

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<link rel="stylesheet" href="/page.css">
</head>
<body>
<h1>Entities in your text</h1>
<p>{title}: labels {labels}.</p>
<form method="post" action="/">
<textarea name="text" id="text" placeholder="Paste a text">{text}</textarea>
<p><button type="submit" id="find">Find entities</button></p>
</form>
{result}
</body>
</html>
"""

STYLESHEET = """body { font-family: sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
textarea { width: 100%; height: 8rem; font-size: 1rem; }
.error { color: #b00; }
.entities { line-height: 2.5; }
mark.entity { padding: 0.45em 0.6em; margin: 0 0.25em; line-height: 1; border-radius: 0.35em; }
.entity-label { font-size: 0.8em; font-weight: bold; line-height: 1; vertical-align: middle; margin-left: 0.5rem; }
"""

# displaCy's `bg` is a class here, not a colour
TPL_ENT = '<mark class="entity {bg}">{text}<span class="entity-label">{label}</span></mark>'
# displaCy's wrapper sets its style inline, which the policy forbids
DISPLACY_WRAPPER = TPL_ENTS.split("{content}")[0].format(dir="ltr").strip()


def label_classes(labels: List[str]) -> Dict[str, str]:
    """A class name for each label (and displaCy's error marks), in the
    order of label_colors, so a label keeps its colour."""
    return {label: f"label-{i}" for i, label in enumerate(label_colors(labels))}


def page_stylesheet(labels: List[str]) -> str:
    classes = label_classes(labels)
    colors = label_colors(labels)
    rules = "".join(f".{classes[label]} {{ background: {colors[label]}; }}\n" for label in classes)
    return STYLESHEET + rules


def render_page(name: Dict[str, str], labels: List[str], text: str, text_ents: Any, error: str = "") -> str:
    if error:
        result = f'<p class="error" id="error">{escape(error)}</p>'
    elif text_ents is None:
        result = ""
    else:
        classes = {escape(label).upper(): css for label, css in label_classes(labels).items()}
        ents = [{**ent, "label": escape(ent["label"])} for ent in text_ents]
        markup = displacy.render(
            {"text": text, "ents": ents, "title": None},
            style="ent",
            manual=True,
            options={"colors": classes, "template": TPL_ENT},
        )
        markup = markup.replace(DISPLACY_WRAPPER, '<div class="entities">', 1)
        result = f'<p id="count">{len(text_ents)} entities found.</p>\n<section id="result">{markup}</section>'
    title = escape(f"{name['name']} {name['version']}")
    return PAGE.format(title=title, labels=escape(", ".join(labels)), text=escape(text), result=result)
