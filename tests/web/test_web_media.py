"""Content types are read as the platform's controller reads them."""

from __future__ import annotations

import pytest

from emulator.web_functions.media import MediaType, parse_media_type


def test_a_content_type_is_parsed_with_its_charset():
    assert parse_media_type("Text/HTML; charset=ISO-8859-1") == MediaType(
        "text", "html", "ISO-8859-1"
    )
    assert parse_media_type('application/json; charset="utf-8"') == MediaType(
        "application", "json", "utf-8"
    )


@pytest.mark.parametrize("value", ["", "html", "text/", "text/html; charset", "a b/c"])
def test_unparseable_content_types_are_none(value):
    assert parse_media_type(value) is None


@pytest.mark.parametrize(
    ("value", "binary"),
    [
        ("text/plain", False),
        ("text/csv", False),
        ("application/json", False),
        ("application/problem+json", False),
        ("application/xml", False),
        ("application/atom+xml", False),
        ("application/javascript", False),
        ("application/x-www-form-urlencoded", False),
        ("application/vnd.custom; charset=utf-8", False),
        ("application/octet-stream", True),
        ("application/octet-stream; charset=utf-8", True),
        ("application/pdf", True),
        ("application/vnd.custom", True),
        ("image/png", True),
        ("image/svg+xml", True),
        ("audio/mpeg", True),
        ("multipart/form-data; boundary=x", True),
    ],
)
def test_types_are_textual_or_binary(value, binary):
    media = parse_media_type(value)
    assert media is not None
    assert media.is_binary is binary


@pytest.mark.parametrize(
    ("value", "json"),
    [("application/json", True), ("application/ld+json", True), ("text/json", False)],
)
def test_the_json_family_is_json_and_any_plus_json(value, json):
    media = parse_media_type(value)
    assert media is not None
    assert media.is_json is json
