"""Which function a web URL names, who may call it, and the CORS headers it gets."""

from __future__ import annotations

import hmac
from pathlib import Path
from typing import Any

import pytest

from emulator.namespace.entities import Action, Annotations, Exec, Package
from emulator.namespace.errors import NotFound, WebAuthenticationFailed
from emulator.namespace.registry import Registry
from emulator.web_functions import access
from emulator.web_functions.address import extra_path, split_extension, web_url

NS = "fn-test"


def action(name: str, package: str | None = "pkg", /, **annotations: Any) -> Action:
    return Action(
        namespace=NS,
        package=package,
        name=name,
        exec=Exec("python:3.11", "main", Path("x.py")),
        annotations=Annotations.of({"web-export": True, "raw-http": False, **annotations}),
    )


@pytest.fixture
def registry() -> Registry:
    registry = Registry(NS)
    registry.replace(
        [Package(NS, "pkg")],
        [action("hello"), action("top", None), action("private", **{"web-export": False})],
    )
    return registry


def test_a_web_function_is_found_by_namespace_package_and_name(registry):
    assert access.find_web_function(registry, NS, "pkg", "hello").path == "pkg/hello"
    assert access.find_web_function(registry, NS, "default", "top").path == "top"


@pytest.mark.parametrize(
    ("namespace", "package", "name"),
    [
        ("fn-other", "pkg", "hello"),  # another namespace
        ("_", "pkg", "hello"),  # `_` does not stand for the namespace here
        (NS, "pkg", "nope"),  # no such function
        (NS, "nope", "hello"),  # no such package
        (NS, "default", "hello"),  # not in the default package
        (NS, "default", "pkg"),  # a package, not a function
        (NS, "pkg", "private"),  # not a web function
    ],
)
def test_every_lookup_failure_is_the_same_404(registry, namespace, package, name):
    with pytest.raises(NotFound) as raised:
        access.find_web_function(registry, namespace, package, name)
    assert type(raised.value) is NotFound
    assert raised.value.message == "The requested resource does not exist."


@pytest.mark.parametrize(
    ("segment", "expected"),
    [
        ("hello", ("hello", ".http")),
        ("hello.http", ("hello", ".http")),
        ("hello.json", ("hello", ".json")),
        ("hello.html", ("hello", ".html")),
        ("hello.svg", ("hello", ".svg")),
        ("hello.text", ("hello", ".text")),
        ("hello.xml", ("hello.xml", ".http")),
    ],
)
def test_the_extension_is_split_from_the_name(segment, expected):
    assert split_extension(segment) == expected


@pytest.mark.parametrize(
    ("raw_path", "extra"),
    [
        ("/api/v1/web/ns/pkg/fn", ""),
        ("/api/v1/web/ns/pkg/fn/", "/"),
        ("/api/v1/web/ns/pkg/fn.json/a/b?x=1", "/a/b"),
        ("/api/v1/web/ns/pkg/fn/a%20b", "/a%20b"),
    ],
)
def test_the_extra_path_is_what_follows_the_function(raw_path, extra):
    assert extra_path(raw_path) == extra


def test_the_web_url_names_the_package_or_default():
    assert web_url("http://h:1", action("hello")) == f"http://h:1/api/v1/web/{NS}/pkg/hello"
    assert web_url("http://h:1", action("top", None)) == f"http://h:1/api/v1/web/{NS}/default/top"


def test_cors_headers_echo_the_requested_headers():
    headers = access.cors_headers(action("a"), None)
    assert headers == {
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Methods": "OPTIONS, GET, DELETE, POST, PUT, HEAD, PATCH",
        "Access-Control-Allow-Headers": (
            "Authorization, Origin, X-Requested-With, Content-Type, Accept, User-Agent"
        ),
    }
    assert access.cors_headers(action("a"), "X-Mine")["Access-Control-Allow-Headers"] == "X-Mine"


def test_custom_options_means_no_cors_and_no_preflight_answer():
    custom = action("a", **{"web-custom-options": True})
    assert access.cors_headers(custom, "X-Mine") == {}
    assert not access.answers_preflight(custom, "OPTIONS")
    assert access.answers_preflight(action("a"), "OPTIONS")
    assert not access.answers_preflight(action("a"), "GET")


@pytest.mark.parametrize("required", [False, None])
def test_without_a_secret_anyone_may_call(required):
    annotations = {} if required is None else {"require-whisk-auth": required}
    access.check_access(action("a", **annotations), method="GET", secret=None, authenticated=False)


def test_a_secret_must_be_sent_exactly():
    secured = action("a", **{"require-whisk-auth": "s3cret"})
    access.check_access(secured, method="POST", secret="s3cret", authenticated=False)
    for wrong in (None, "", "s3cre", "s3cret ", "S3CRET"):
        with pytest.raises(WebAuthenticationFailed):
            access.check_access(secured, method="POST", secret=wrong, authenticated=True)


def test_a_numeric_secret_is_compared_as_text():
    secured = action("a", **{"require-whisk-auth": 1234})
    access.check_access(secured, method="GET", secret="1234", authenticated=False)
    with pytest.raises(WebAuthenticationFailed):
        access.check_access(secured, method="GET", secret="12345", authenticated=False)


def test_true_requires_the_namespaces_key():
    secured = action("a", **{"require-whisk-auth": True})
    access.check_access(secured, method="GET", secret=None, authenticated=True)
    with pytest.raises(WebAuthenticationFailed):
        access.check_access(secured, method="GET", secret="anything", authenticated=False)


def test_options_is_never_refused():
    secured = action("a", **{"require-whisk-auth": "s3cret"})
    access.check_access(secured, method="OPTIONS", secret=None, authenticated=False)


def test_the_secret_is_compared_in_constant_time(monkeypatch):
    compared = []

    def compare_digest(a, b):
        compared.append((a, b))
        return a == b

    monkeypatch.setattr(hmac, "compare_digest", compare_digest)
    secured = action("a", **{"require-whisk-auth": "s3cret"})
    access.check_access(secured, method="GET", secret="s3cret", authenticated=False)
    assert compared == [(b"s3cret", b"s3cret")]
