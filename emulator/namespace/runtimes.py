"""The runtime kinds the platform offers: one table that validation, `/api/v1` and the
invoker all read."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Kind:
    name: str  # e.g. "python:3.11"
    family: str  # e.g. "python"
    default: bool = False
    deprecated: bool = False

    @property
    def version(self) -> str:
        return self.name.partition(":")[2]


def _family(family: str, versions: list[str], default: str) -> list[Kind]:
    return [Kind(f"{family}:{v}", family, default=(v == default)) for v in versions]


# DigitalOcean's current kinds (docs: reference/runtimes), with the defaults its API host reports.
KINDS: dict[str, Kind] = {
    k.name: k
    for k in [
        *_family("nodejs", ["14", "18", "22", "24"], default="18"),
        *_family("python", ["3.9", "3.11", "3.12", "3.13"], default="3.11"),
        *_family("go", ["1.17", "1.20", "1.24", "1.25"], default="1.20"),
        *_family("php", ["8.0", "8.2", "8.3", "8.4", "8.5"], default="8.2"),
    ]
}

# File extensions the deployer maps to a runtime family (functions-deployer runtimes.ts).
EXTENSION_FAMILIES: dict[str, str] = {
    "js": "nodejs",
    "mjs": "nodejs",
    "cjs": "nodejs",
    "ts": "nodejs",
    "py": "python",
    "go": "go",
    "php": "php",
}


class UnknownKind(ValueError):
    pass


def default_kind(family: str) -> Kind:
    for kind in KINDS.values():
        if kind.family == family and kind.default:
            return kind
    raise UnknownKind(family)


def resolve_kind(name: str) -> Kind:
    """The concrete kind for `name`; `<family>:default` becomes that family's default."""
    family, _, version = name.partition(":")
    if version == "default":
        return default_kind(family)
    kind = KINDS.get(name)
    if kind is None:
        raise UnknownKind(name)
    return kind


def runtimes_document() -> dict[str, list[dict[str, object]]]:
    """The `runtimes` map of `GET /api/v1`, which doctl and the deployer read."""
    doc: dict[str, list[dict[str, object]]] = {}
    for kind in KINDS.values():
        doc.setdefault(kind.family, []).append(
            {
                "kind": kind.name,
                "default": kind.default,
                "deprecated": kind.deprecated,
                "attached": False,
                "requireMain": False,
                # No container image: the emulator runs the kind under a local toolchain.
                "image": "local",
            }
        )
    return doc
