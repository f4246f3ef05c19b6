import hashlib
import zlib


def checksums(text: str) -> dict[str, str]:
    data = text.encode()
    return {"sha256": hashlib.sha256(data).hexdigest(), "crc32": f"{zlib.crc32(data):08x}"}
