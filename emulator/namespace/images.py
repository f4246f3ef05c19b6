"""What each kind's runtime image ships besides the language: the packages a function may
import without bundling them, as the platform's images install them, and where each list
comes from.

DigitalOcean's runtimes are Nimbella's forks of the Apache OpenWhisk runtimes. Their images
install a package set into the interpreter's own site-packages (Python) or into
`/node_modules` above the function's folder (Node.js), so that a function's own `virtualenv/`
or `node_modules/` wins over them.
"""

from __future__ import annotations

from dataclasses import dataclass

NIMBELLA_PYTHON_39 = (
    "https://github.com/nimbella/openwhisk-runtime-python/blob/dev/"
    "core/python39Action/requirements.txt"
)
APACHE_PYTHON_311 = (
    "https://github.com/apache/openwhisk-runtime-python/blob/master/"
    "core/python311Action/requirements.txt"
)
APACHE_PYTHON_312 = (
    "https://github.com/apache/openwhisk-runtime-python/blob/master/"
    "core/python312Action/requirements.txt"
)
NIMBELLA_NODEJS = (
    "https://github.com/nimbella/openwhisk-runtime-nodejs/blob/dev/"
    "core/nodejsActionBase/package.json"
)


@dataclass(frozen=True, slots=True)
class ImagePackage:
    name: str  # as the registry names it: "beautifulsoup4", "openwhisk"
    version: str = ""  # "==2.25.1" (pip), "3.21.3" (npm), ">=5.1.0"; "" for the newest
    # The top-level modules a function imports it by (its own and those it brings along);
    # by default the name itself.
    modules: tuple[str, ...] = ()

    @property
    def imported_as(self) -> tuple[str, ...]:
        return self.modules or (self.name,)


@dataclass(frozen=True, slots=True)
class Image:
    kind: str
    manager: str  # "pip" or "npm"
    packages: tuple[ImagePackage, ...]
    source: str  # where the list is read from
    # How the list departs from its source, when it is inferred rather than read; "" if not.
    inferred: str = ""

    def package(self, name: str) -> ImagePackage | None:
        return next((p for p in self.packages if p.name == name), None)

    def providing(self, module: str) -> ImagePackage | None:
        """The package that makes `module` (or its top-level package) importable."""
        top = module.split(".")[0].split("/")[0] if not module.startswith("@") else module
        return next((p for p in self.packages if top in p.imported_as), None)

    def requirement(self, package: ImagePackage) -> str:
        """The argument pip or npm installs `package` with."""
        if not package.version:
            return package.name
        return (
            f"{package.name}@{package.version}"
            if self.manager == "npm"
            else (f"{package.name}{package.version}")
        )


def _pip(name: str, version: str = "", *modules: str) -> ImagePackage:
    return ImagePackage(name, version, tuple(modules))


# The packages that Nimbella's images add to Apache's Python list (python39Action), which
# DigitalOcean's newer Python images are taken to keep: the 3.11+ lists upstream do not have them.
_NIMBELLA_EXTRAS = (
    _pip("google-cloud-storage", "", "google"),
    _pip("pymongo", "", "pymongo", "bson", "gridfs"),
    _pip("redis"),
    _pip("pika"),
    _pip("elasticsearch"),
    _pip("cassandra-driver", "", "cassandra"),
    _pip("etcd3"),
    _pip("twilio"),
)
_REQUESTS_MODULES = ("requests", "urllib3", "idna", "certifi", "chardet", "charset_normalizer")


def _apache_python(pins: dict[str, str]) -> tuple[ImagePackage, ...]:
    """Apache's list for a Python version (`pins`: name → version specifier)."""
    modules = {
        "beautifulsoup4": ("bs4",),
        "kafka_python": ("kafka",),
        "python-dateutil": ("dateutil", "six"),
        "requests": _REQUESTS_MODULES,
        "setuptools": ("setuptools", "pkg_resources"),
    }
    return tuple(_pip(name, pin, *modules.get(name, ())) for name, pin in pins.items())


_PYTHON_311_PINS = {
    "beautifulsoup4": "==4.11.2",
    "httplib2": "==0.21.0",
    "kafka_python": "==2.0.2",
    "lxml": "==4.9.2",
    "python-dateutil": "==2.8.2",
    "requests": "==2.31.0",
    "scrapy": "==2.11.2",
    "simplejson": "==3.18.3",
    "virtualenv": "==20.19.0",
    "twisted": "==24.7.0",
    "netifaces": "==0.11.0",
    "setuptools": "==67.4.0",
}
_PYTHON_312_PINS = {
    "beautifulsoup4": "==4.12.3",
    "httplib2": "==0.22.0",
    "kafka_python": "==2.0.2",
    "lxml": "==5.1.0",
    "python-dateutil": "==2.8.2",
    "requests": "==2.31.0",
    "scrapy": "==2.11.0",
    "simplejson": "==3.19.2",
    "virtualenv": "==20.25.0",
    "twisted": "==23.10.0",
    "netifaces": "==0.11.0",
    "setuptools": "==69.0.3",
}
_INFERRED_311 = (
    "Apache's pins for this Python version; Nimbella's additions (twilio, redis, pymongo, "
    "pika, elasticsearch, cassandra-driver, etcd3, google-cloud-storage) unpinned, at their "
    "newest: DigitalOcean does not publish its pins for python:3.11 and later."
)

IMAGES: dict[str, Image] = {
    image.kind: image
    for image in [
        Image(
            "python:3.9",
            "pip",
            (
                _pip("beautifulsoup4", "==4.9.3", "bs4"),
                _pip("httplib2", "==0.19.1"),
                _pip("kafka_python", "==1.4.7", "kafka"),
                _pip("lxml", "==4.6.5"),
                _pip("python-dateutil", "==2.8.1", "dateutil", "six"),
                _pip("requests", "==2.25.1", *_REQUESTS_MODULES),
                _pip("scrapy", "==1.8.2"),
                _pip("simplejson", "==3.17.2"),
                _pip("virtualenv", "==20.4.7"),
                _pip("twisted", "==22.4.0"),
                _pip("netifaces", "==0.11.0"),
                _pip("python-rclone", "==0.0.2", "rclone"),
                _pip("google-cloud-storage", "==1.35.1", "google"),
                _pip("nimbella", "==2.1.1"),
                _pip("pymongo", "==3.11.4", "pymongo", "bson", "gridfs"),
                _pip("redis", "==3.4.1"),
                _pip("pika", "==1.2.0"),
                _pip("elasticsearch", "==7.13.2"),
                _pip("cassandra-driver", "==3.25.0", "cassandra"),
                _pip("etcd3", "==0.12.0"),
                _pip("twilio", "==6.60.0"),
            ),
            NIMBELLA_PYTHON_39,
        ),
        Image(
            "python:3.11",
            "pip",
            (*_apache_python(_PYTHON_311_PINS), *_NIMBELLA_EXTRAS),
            APACHE_PYTHON_311,
            _INFERRED_311,
        ),
        Image(
            "python:3.12",
            "pip",
            (*_apache_python(_PYTHON_312_PINS), *_NIMBELLA_EXTRAS),
            APACHE_PYTHON_312,
            _INFERRED_311,
        ),
        Image(
            "python:3.13",
            "pip",
            (
                *_apache_python({k: ">=" + v[2:] for k, v in _PYTHON_312_PINS.items()}),
                *_NIMBELLA_EXTRAS,
            ),
            APACHE_PYTHON_312,
            "No upstream list for Python 3.13: python:3.12's packages, each at its 3.12 pin or "
            "newer (the 3.12 pins of lxml and twisted have no 3.13 builds), and Nimbella's "
            "additions unpinned.",
        ),
        *(
            Image(
                f"nodejs:{version}",
                "npm",
                tuple(
                    ImagePackage(name, pin)
                    for name, pin in {
                        "body-parser": "1.18.3",
                        "express": "4.16.4",
                        "openwhisk": "3.21.3",
                        "redis": "2.8.0",
                        "serialize-error": "3.0.0",
                        "uuid": "3.3.0",
                    }.items()
                ),
                NIMBELLA_NODEJS,
                # Every nodejs<N>Action Dockerfile copies the same base package.json to `/`.
            )
            for version in ("14", "18", "22", "24")
        ),
    ]
}


def image_for(kind: str) -> Image | None:
    """The package set of `kind`'s image; None for kinds whose image adds none (Go, PHP)."""
    return IMAGES.get(kind)
