"""The raw-HTML policy: embeds pass, anything that runs script is found."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import rawhtml
from generator.rawhtml import find_script


@pytest.mark.parametrize("html", [
    '<iframe src="https://www.youtube-nocookie.com/embed/x" allowfullscreen></iframe>',
    "<table><tr><td>1</td></tr></table>", '<a href="/berita/x/">x</a>',
    "<p>kata onload dan javascript: dalam teks</p>", "<details><summary>a</summary>b</details>",
])
def test_allowed(html: str) -> None:
    assert find_script(html) == []


@pytest.mark.parametrize(("html", "what"), [
    ("<SCRIPT >alert(1)</SCRIPT>", "<script>"),
    ("<img src=x OnError=alert(1)>", "onerror"),
    ('<a href=" java\tscript:alert(1)">x</a>', "javascript:"),
    ('<a href="&#106;avascript:alert(1)">x</a>', "javascript:"),
    ('<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>', "srcdoc"),
    ('<object data="data:text/html,<script>alert(1)</script>"></object>', "data:text/html"),
    ("<svg><animate onbegin=alert(1) /></svg>", "onbegin"),
])
def test_found(html: str, what: str) -> None:
    found = find_script(html)
    assert found and what in found[0][0]


_OLD_CHECK = re.compile(r"[\s/\"']on[a-z]+\s*=|&(?!amp;|lt;|gt;|quot;)")


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from([*"on =&;\"'/\t\n\u2003xa", "onclick", "amp;", "lt;",
                                 "quot;", "nonon", "ON", "<p>", "Kalimat biasa"]),
                max_size=30).map("".join))
def test_handler_or_reference_check_is_the_single_pattern_it_replaced(html: str) -> None:
    lowered = html.lower()
    new = ("&" in lowered and rawhtml._REFERENCE.search(lowered) is not None) or \
        rawhtml._has_handler(lowered)
    assert new == (_OLD_CHECK.search(lowered) is not None)
