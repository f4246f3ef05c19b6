"""A webhook receiver: `web: raw`, so the body arrives unparsed and its signature can be checked."""

import base64
import hashlib
import hmac
import os


def main(args):
    body = args.get("__ow_body", "")
    raw = base64.b64decode(body) if args["http"]["isBase64Encoded"] else body.encode()
    expected = (
        "sha256=" + hmac.new(os.environ["WEBHOOK_SECRET"].encode(), raw, hashlib.sha256).hexdigest()
    )
    signature = args["__ow_headers"].get("x-signature", "")
    if not hmac.compare_digest(signature, expected):
        return {"statusCode": 401, "body": {"error": "bad signature"}}
    print(f"received {raw.decode(errors='replace')}")
    return {"statusCode": 204}
