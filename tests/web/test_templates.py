"""Every page template is ready for a strict content security policy and for Khmer: no inline
style, no inline script or event handler, every visible sentence in a translation tag."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted([*ROOT.glob("web/templates/**/*.html"), *ROOT.glob("templates/*.html")])
INLINE_STYLE = re.compile(r"\sstyle\s*=", re.I)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
# Text between tags that has letters and is not a template tag or variable.
PROPER_NAMES = {"English", "Primero", "OSCaR"}
BARE_TEXT = re.compile(r">\s*([A-Za-z][A-Za-z ,.'\u2019:;!?()-]{2,})\s*<")


def test_there_are_page_templates():
    assert len(TEMPLATES) > 5


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_inline_style_script_or_handler(path):
    html = path.read_text(encoding="utf-8")
    assert not INLINE_STYLE.search(html), "use a class in web/static/web/*.css"
    assert not INLINE_SCRIPT.search(html), "use htmx attributes or a static .js file"
    assert not HANDLER.search(html), "use htmx attributes or a static .js file"


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_untranslated_text_between_tags(path):
    html = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", "", path.read_text(encoding="utf-8"), flags=re.S)
    bare = [m.group(1).strip() for m in BARE_TEXT.finditer(html)]
    # Names that are the same in every language: the switch's own language name, partner systems.
    bare = [text for text in bare if text not in PROPER_NAMES]
    assert bare == [], "wrap in {% translate %}"
