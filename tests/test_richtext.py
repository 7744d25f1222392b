"""Math in question text: Markdown's $...$ and $$...$$, Anki's and Moodle's LaTeX, as MathML."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from quizapp.richtext import clean_html, latex_mathml, markdown_html, math_to_mathml, render_rich


def media_url(name: str) -> str:
    return f"/media/the-set/{name}"


def test_markdown_inline_and_display_math_become_mathml() -> None:
    html = markdown_html("Area $\\pi r^2$, and\n\n$$\\frac{a}{b}$$\n")
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline">' in html
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">' in html
    assert "<mfrac>" in html
    assert "<msup>" in html
    assert "$" not in html


def test_display_math_over_several_lines_is_not_markdown() -> None:
    html = markdown_html("Before\n$$\n- a_b\n# c\n$$\nafter")
    assert "<ul>" not in html
    assert "<h1>" not in html
    assert html.count("<math") == 1
    assert "<p>after</p>" in html


def test_underscore_and_star_inside_math_are_not_emphasis() -> None:
    html = markdown_html("$a_1 b_1$ and $x*y*z$ but *this*")
    assert html.count("<em>") == 1
    assert "<em>this</em>" in html
    assert "<msub><mi>a</mi><mn>1</mn></msub>" in html


def test_an_escaped_dollar_stays_a_dollar() -> None:
    html = markdown_html("costs \\$5, or \\$\\$x\\$\\$ in all")
    assert "<math" not in html
    # Written as character references, so that the page's math_to_mathml leaves them too.
    assert "&#36;5" in html
    shown = str(render_rich(html, media_url))
    assert "<math" not in shown
    assert "$$x$$" in shown


def test_prices_are_not_math() -> None:
    assert "<math" not in markdown_html("It costs $5 and $10.")


def test_invalid_latex_is_shown_as_code() -> None:
    html = markdown_html("bad $x^$ here, and $$\\sqrt<b>{$$")
    assert "<math" not in html
    assert "<code>x^</code>" in html
    assert "<code>\\sqrt&lt;b&gt;{</code>" in html
    assert str(render_rich("<p>\\(x^\\)</p>", media_url)) == "<p><code>x^</code></p>"


def test_text_in_latex_is_escaped_in_the_mathml() -> None:
    mathml = latex_mathml("\\text{<script>alert(1)</script>} < 2")
    assert "<script" not in mathml
    assert "&lt;script&gt;" in mathml
    assert "<mo>&lt;</mo>" in mathml


def test_the_cleaner_keeps_mathml() -> None:
    mathml = latex_mathml(
        "\\left(\\sum_{i=1}^n \\sqrt[3]{x_i}\\right) \\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}",
        display=True,
    )
    assert clean_html(mathml, media_url) == mathml
    annotated = (
        "<math><semantics><mrow><mi>x</mi></mrow>"
        '<annotation encoding="application/x-tex">x</annotation></semantics></math>'
    )
    assert clean_html(annotated, media_url) == annotated


@pytest.mark.parametrize(
    "hostile",
    [
        '<math href="javascript:alert(1)"><mi>x</mi></math>',
        '<math><mrow href="javascript:alert(1)" style="color:red"><mi>x</mi></mrow></math>',
        '<math><semantics><mi>x</mi><annotation-xml encoding="text/html">'
        '<script>alert(1)</script><a href="javascript:alert(1)">y</a></annotation-xml>'
        "</semantics></math>",
        '<math><mi onclick="alert(1)">x</mi></math>',
        '<math><mtext><table><mglyph><style><img src=x onerror="alert(1)">',
    ],
)
def test_the_cleaner_strips_anything_executable_from_mathml(hostile: str) -> None:
    cleaned = clean_html(hostile, media_url)
    assert "javascript" not in cleaned
    assert "<script" not in cleaned
    assert "annotation-xml" not in cleaned
    assert "style" not in cleaned
    assert not re.search(r"\son\w+=", cleaned)


@pytest.mark.parametrize(
    ("text", "display"),
    [
        ("[$]x^2[/$]", "inline"),
        ("[$$]x^2[/$$]", "block"),
        ("[latex]$x^2$[/latex]", "block"),
        ("[latex]x^2[/latex]", "block"),
        ("\\(x^2\\)", "inline"),
        ("\\[x^2\\]", "block"),
        ("$$x^2$$", "block"),
    ],
)
def test_anki_and_moodle_latex_becomes_mathml(text: str, display: str) -> None:
    shown = math_to_mathml(f"<p>What is {text}?</p>")
    assert shown.startswith("<p>What is <math ")
    assert f'display="{display}"' in shown
    assert "<msup><mi>x</mi><mn>2</mn></msup>" in shown
    assert shown.endswith("</math>?</p>")


def test_latex_in_html_drops_its_tags_and_reads_its_entities() -> None:
    shown = math_to_mathml("[$]a &lt; b<br>+ c&nbsp;[/$]")
    assert "<mo>&lt;</mo>" in shown
    assert "<br" not in shown


def test_code_attributes_and_math_are_left_alone() -> None:
    text = '<code>\\(x\\)</code><pre>$$y$$</pre><a href="https://e.org/$$z$$">l</a>'
    assert math_to_mathml(text) == text


def test_plain_text_stays_escaped_with_its_math_converted() -> None:
    assert str(render_rich("2 < 3 & 4 > 1", media_url)) == "2 &lt; 3 &amp; 4 &gt; 1"
    shown = str(render_rich("If a < b, is \\(a^2 < b^2\\)?", media_url))
    assert shown.startswith("If a &lt; b, is <math ")
    assert "<mo>&lt;</mo>" in shown


@pytest.mark.parametrize("text", ["[$]x^2[/$]", "\\(x^2\\)", "<div>[$]x^2[/$]</div>"])
def test_the_rich_filter_shows_anki_latex_as_mathml(app: Flask, text: str) -> None:
    template = app.jinja_env.from_string("{{ text|rich('the-set') }}")
    with app.test_request_context():
        shown = template.render(text=text)
    assert "<math " in shown
    assert "<msup><mi>x</mi><mn>2</mn></msup>" in shown
    assert "[$]" not in shown
    assert "\\(" not in shown
