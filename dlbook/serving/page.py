"""The page of `serve`: a form whose text comes back with its entities
highlighted by displaCy, rendered on the server (no script, nothing loaded
from elsewhere)."""

from html import escape
from typing import Any, Dict, List

from spacy import displacy

from dlbook.common.entities import label_colors

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }}
textarea {{ width: 100%; height: 8rem; font-size: 1rem; }}
.error {{ color: #b00; }}
</style>
</head>
<body>
<h1>Terms in your text</h1>
<p>{title}: labels {labels}.</p>
<form method="post" action="/">
<textarea name="text" id="text" placeholder="Paste a text">{text}</textarea>
<p><button type="submit" id="find">Find terms</button></p>
</form>
{result}
</body>
</html>
"""


def render_page(name: Dict[str, str], labels: List[str], text: str, text_ents: Any, error: str = "") -> str:
    if error:
        result = f'<p class="error" id="error">{escape(error)}</p>'
    elif text_ents is None:
        result = ""
    else:
        markup = displacy.render(
            {"text": text, "ents": text_ents, "title": None},
            style="ent",
            manual=True,
            options={"colors": label_colors(labels)},
        )
        result = f'<p id="count">{len(text_ents)} terms found.</p>\n<section id="result">{markup}</section>'
    title = escape(f"{name['name']} {name['version']}")
    return PAGE.format(title=title, labels=escape(", ".join(labels)), text=escape(text), result=result)
