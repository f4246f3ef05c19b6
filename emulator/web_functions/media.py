"""Media types as the platform's controller reads them: textual or binary, JSON or not."""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_MEDIA_TYPE = re.compile(rf"\A\s*({_TOKEN})/({_TOKEN})\s*(;.*)?\Z", re.DOTALL)
_PARAMETER = re.compile(rf'\A\s*({_TOKEN})\s*=\s*({_TOKEN}|"(?:[^"\\]|\\.)*")\s*\Z', re.DOTALL)
# application/* types the controller (Akka HTTP) registers as text; everything else under
# application/ is binary, like image/*, audio/*, video/*, font/* and multipart/*.
_TEXT_APPLICATION = frozenset(
    {
        "json",
        "javascript",
        "x-javascript",
        "ecmascript",
        "xml",
        "xml-dtd",
        "x-www-form-urlencoded",
        "base64",
        "graphql",
    }
)
# Always binary, even with a charset parameter.
_BINARY_TOP_LEVEL = frozenset({"image", "audio", "video", "font", "multipart"})


@dataclass(frozen=True, slots=True)
class MediaType:
    type: str
    subtype: str
    charset: str | None = None

    @property
    def value(self) -> str:
        """`type/subtype`, lower case, without parameters."""
        return f"{self.type}/{self.subtype}"

    @property
    def is_json(self) -> bool:
        """`application/json` or any `+json` type: the controller's JSON family."""
        return self.value == "application/json" or self.subtype.endswith("+json")

    @property
    def is_binary(self) -> bool:
        """Whether bodies of this type travel base64-encoded in events and results."""
        if self.type == "text":
            return False
        if self.type == "application" and (
            self.subtype in _TEXT_APPLICATION or self.subtype.endswith(("+json", "+xml"))
        ):
            return False
        # A type the controller does not know is textual when it names a charset.
        return not (
            self.charset is not None
            and self.type not in _BINARY_TOP_LEVEL
            and self.value != "application/octet-stream"
        )


def parse_media_type(text: str) -> MediaType | None:
    """The media type of a Content-Type value; None when it cannot be parsed."""
    match = _MEDIA_TYPE.match(text)
    if match is None:
        return None
    charset = None
    for parameter in (match.group(3) or "").split(";")[1:]:
        if not parameter.strip():
            continue
        named = _PARAMETER.match(parameter)
        if named is None:
            return None
        if named.group(1).lower() == "charset":
            charset = named.group(2).strip('"')
    return MediaType(match.group(1).lower(), match.group(2).lower(), charset)


TEXT_HTML = MediaType("text", "html")
APPLICATION_JSON = MediaType("application", "json")
