"""The deployer's encryption of a remote-build slice's project.yml, undone.

doctl's deployer (functions-deployer util.ts `encryptProjectConfig`) encrypts the slice's
project.yml with AES-256-CBC under a random key and an all-zero IV, writes the ciphertext as hex
and sends the key, also hex, as the build action's `encryptionKey` parameter. Python's standard
library has no AES, and the slice is small (a few kilobytes), so the block cipher is written
out here from its specification (FIPS 197), decryption only.
"""

from __future__ import annotations

import binascii

BLOCK = 16
ROUNDS = 14  # AES-256
KEY_BYTES = 32
WRONG_KEY = "the slice's project.yml does not decrypt with its key"


class SliceDecryptionError(ValueError):
    """The ciphertext or the key is not what the deployer sends."""


def decrypt_config(ciphertext_hex: str, key_hex: str) -> str:
    """The project.yml text the deployer encrypted."""
    try:
        key = binascii.unhexlify(key_hex.strip())
        data = binascii.unhexlify(ciphertext_hex.strip())
    except (binascii.Error, ValueError):
        raise SliceDecryptionError("the slice's project.yml or its key is not hex") from None
    if len(key) != KEY_BYTES or not data or len(data) % BLOCK:
        raise SliceDecryptionError("the slice's project.yml is not AES-256 ciphertext")
    round_keys = _expand_key(key)
    previous = bytes(BLOCK)  # the deployer's IV
    plain = bytearray()
    for start in range(0, len(data), BLOCK):
        block = data[start : start + BLOCK]
        decrypted = _decrypt_block(block, round_keys)
        plain += bytes(a ^ b for a, b in zip(decrypted, previous, strict=True))
        previous = block
    padding = plain[-1]
    if not 1 <= padding <= BLOCK or plain[-padding:] != bytes([padding]) * padding:
        raise SliceDecryptionError(WRONG_KEY)
    try:
        return bytes(plain[:-padding]).decode("utf-8")
    except UnicodeDecodeError:
        raise SliceDecryptionError(WRONG_KEY) from None


def _xtime(value: int) -> int:
    value <<= 1
    return (value ^ 0x11B) if value & 0x100 else value


def _multiply(a: int, b: int) -> int:
    """Multiplication in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1."""
    product = 0
    while b:
        if b & 1:
            product ^= a
        a = _xtime(a)
        b >>= 1
    return product


def _inverse(value: int) -> int:
    """value^254, its multiplicative inverse (0 for 0)."""
    result, power, exponent = 1, value, 254
    while exponent:
        if exponent & 1:
            result = _multiply(result, power)
        power = _multiply(power, power)
        exponent >>= 1
    return result if value else 0


def _sbox() -> tuple[list[int], list[int]]:
    """The S-box and its inverse: the multiplicative inverse, then the affine transform."""
    box = [0] * 256
    for value in range(256):
        x = _inverse(value)
        rotated = x
        for _ in range(4):
            rotated = ((rotated << 1) | (rotated >> 7)) & 0xFF
            x ^= rotated
        box[value] = x ^ 0x63
    unbox = [0] * 256
    for value, substituted in enumerate(box):
        unbox[substituted] = value
    return box, unbox


SBOX, INVERSE_SBOX = _sbox()
# InvMixColumns multiplies by 14, 11, 13 and 9: one table each.
_TIMES = {factor: [_multiply(v, factor) for v in range(256)] for factor in (9, 11, 13, 14)}


def _expand_key(key: bytes) -> list[bytes]:
    """The 15 round keys of AES-256, each 16 bytes, column after column."""
    words = [list(key[i : i + 4]) for i in range(0, KEY_BYTES, 4)]
    constant = 1
    while len(words) < 4 * (ROUNDS + 1):
        word = list(words[-1])
        position = len(words) % 8
        if position == 0:
            word = [SBOX[b] for b in word[1:] + word[:1]]
            word[0] ^= constant
            constant = _xtime(constant)
        elif position == 4:
            word = [SBOX[b] for b in word]
        words.append([a ^ b for a, b in zip(words[-8], word, strict=True)])
    return [b"".join(bytes(w) for w in words[4 * r : 4 * r + 4]) for r in range(ROUNDS + 1)]


def _decrypt_block(block: bytes, round_keys: list[bytes]) -> bytes:
    # The state, byte r + 4c holding row r of column c.
    state = [a ^ b for a, b in zip(block, round_keys[ROUNDS], strict=True)]
    for round_number in range(ROUNDS - 1, -1, -1):
        # Inverse ShiftRows (row r moves right by r), then inverse SubBytes.
        state = [INVERSE_SBOX[state[r + 4 * ((c - r) % 4)]] for c in range(4) for r in range(4)]
        state = [a ^ b for a, b in zip(state, round_keys[round_number], strict=True)]
        if round_number:
            state = _inverse_mix_columns(state)
    return bytes(state)


def _inverse_mix_columns(state: list[int]) -> list[int]:
    t9, t11, t13, t14 = _TIMES[9], _TIMES[11], _TIMES[13], _TIMES[14]
    mixed: list[int] = []
    for c in range(0, BLOCK, 4):
        a0, a1, a2, a3 = state[c : c + 4]
        mixed += [
            t14[a0] ^ t11[a1] ^ t13[a2] ^ t9[a3],
            t9[a0] ^ t14[a1] ^ t11[a2] ^ t13[a3],
            t13[a0] ^ t9[a1] ^ t14[a2] ^ t11[a3],
            t11[a0] ^ t13[a1] ^ t9[a2] ^ t14[a3],
        ]
    return mixed
