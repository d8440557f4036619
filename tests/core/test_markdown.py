import re

from hypothesis import given, settings
from hypothesis import strategies as st

from mvi_community.core.markdown import render_markdown

TAG = re.compile(r"<[^>]+>")


def _tags(html: str) -> list[str]:
    return TAG.findall(html)


def test_markdown_is_rendered():
    html = str(render_markdown("# Titel\n\n**Circulair** inkopen, zie [PIANOo](https://www.pianoo.nl)."))
    assert "<h2>Titel</h2>" in html and "<strong>Circulair</strong>" in html
    assert 'href="https://www.pianoo.nl"' in html and 'rel="noopener noreferrer nofollow"' in html


def test_script_and_html_are_neutralised():
    html = str(render_markdown('<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))'))
    assert "&lt;script&gt;" in html  # shown as text, never as a tag
    assert not any(t.startswith(("<script", "<img")) for t in _tags(html))
    assert not any("onerror" in t or "javascript:" in t for t in _tags(html))


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_no_active_content_for_any_input(text):
    for tag in _tags(str(render_markdown(text)).lower()):
        assert not tag.startswith(("<script", "<iframe", "<img", "<style")), tag
        assert not re.search(r"\son\w+\s*=", tag) and "javascript:" not in tag, tag
