"""Remote-build slices unpacked as projects, and the deployer's encryption of their project.yml
undone (checked against Node's own AES, which the deployer encrypts with)."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml

from emulator.project.slice_cipher import SliceDecryptionError, decrypt_config
from emulator.project.slices import SliceError, unpack_slice
from tests.support.ci import require

KEY = "5b2c784220b9968e524bdc8e719e2175f795c96306af23a39e7518f788b6a15d"
CONFIG = "slice: true\npackages:\n  - name: sample\n    actions:\n      - name: hi\n"
CANNED = "#!/bin/bash\nset -e\n/bin/defaultBuild Main\n"
# functions-deployer util.ts `encryptProjectConfig`, run by Node as the deployer runs it.
NODE_ENCRYPT = """
const crypto = require('crypto');
const key = Buffer.from(process.env.KEY, 'hex');
const cipher = crypto.createCipheriv('aes256', key, Buffer.alloc(16));
process.stdout.write(cipher.update(process.env.TEXT, 'utf8', 'hex') + cipher.final('hex'));
"""


def node_encrypted(text: str, key: str = KEY) -> str:
    node = shutil.which("node")
    require(node is not None, "node is missing")
    assert node is not None
    done = subprocess.run(
        [node, "-e", NODE_ENCRYPT],
        env={**os.environ, "KEY": key, "TEXT": text},
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return done.stdout


def zipped(files: dict[str, tuple[str, int]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, (text, mode) in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = mode << 16
            archive.writestr(info, text)
    return buffer.getvalue()


def test_the_cipher_undoes_nodes_aes_256_cbc_of_any_length() -> None:
    for text in ("", "x", "sixteen bytes!!!", CONFIG * 20, "unicode: é ✓"):
        assert decrypt_config(node_encrypted(text), KEY) == text


def test_a_known_answer_decrypts_without_node() -> None:
    # Encrypted once by Node, as the deployer encrypts, under the key 00 01 … 1f (FIPS 197's
    # AES-256 example key).
    ciphertext = (
        "93ff1667e36e5e17da5f99f9ee006ef77306d96a19963b8ed692910b2e65413a"
        "70906b3b9e0a0d942ea45fafe71f9ff1"
    )
    text = "slice: true # a known answer, two blocks long"
    assert decrypt_config(ciphertext, bytes(range(32)).hex()) == text


@pytest.mark.parametrize(
    ("ciphertext", "key"),
    [
        ("not hex", KEY),
        ("00" * 16, "abcd"),
        ("00" * 15, KEY),
        ("00" * 16, KEY),  # decrypts to garbage: the padding says so
    ],
)
def test_what_the_deployer_never_sends_is_refused(ciphertext: str, key: str) -> None:
    with pytest.raises(SliceDecryptionError):
        decrypt_config(ciphertext, key)


def test_another_key_is_refused() -> None:
    with pytest.raises(SliceDecryptionError):
        decrypt_config(node_encrypted(CONFIG), "00" * 32)


def test_an_encrypted_slice_unpacks_as_its_project_without_the_credentials(tmp_path: Path) -> None:
    secret = "credentials:\n  ow:\n    api_key: uuid:secret-key\n" + CONFIG
    data = zipped(
        {
            "packages/sample/hi/hi.go": ("package main\n", 0o644),
            "packages/sample/hi/build.sh": (CANNED, 0o777),
            "packages/sample/other/build.sh": ("#!/bin/bash\nmake\n", 0o755),
            "project.yml": (node_encrypted(secret), 0o644),
        }
    )
    unpacked = unpack_slice(data, tmp_path, encryption_key=KEY)
    assert unpacked.default_build is True
    # The canned `/bin/defaultBuild` script goes; a script of the user's stays, executable.
    assert not (tmp_path / "packages/sample/hi/build.sh").exists()
    assert (tmp_path / "packages/sample/other/build.sh").stat().st_mode & 0o100
    written = unpacked.config_file.read_text()
    assert "secret-key" not in written
    assert yaml.safe_load(written)["packages"][0]["actions"] == [{"name": "hi"}]


def test_a_plain_slice_as_nim_sends_it(tmp_path: Path) -> None:
    data = zipped({"project.yml": (CONFIG, 0o644), "packages/sample/hi.py": ("x = 1\n", 0o644)})
    unpacked = unpack_slice(data, tmp_path, encryption_key=None)
    assert unpacked.default_build is False
    assert (tmp_path / "packages/sample/hi.py").read_text() == "x = 1\n"


def test_members_outside_the_folder_are_left_out(tmp_path: Path) -> None:
    root = tmp_path / "slice"
    root.mkdir()
    data = zipped(
        {"project.yml": (CONFIG, 0o644), "../escaped.txt": ("x", 0o644), "/abs.txt": ("x", 0o644)}
    )
    unpack_slice(data, root, encryption_key=None)
    assert not (tmp_path / "escaped.txt").exists()
    assert sorted(p.name for p in root.rglob("*")) == ["project.yml"]


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"packages/a.py": ("x", 0o644)}, "the slice has no project.yml"),
        ({"project.yml": ("packages: []\n", 0o644)}, "the slice's project.yml is not a slice's"),
        ({"project.yml": ("a: [\n", 0o644)}, "the slice's project.yml is not YAML"),
    ],
)
def test_what_is_no_slice_is_refused(
    tmp_path: Path, files: dict[str, tuple[str, int]], message: str
) -> None:
    with pytest.raises(SliceError, match=message):
        unpack_slice(zipped(files), tmp_path, encryption_key=None)
