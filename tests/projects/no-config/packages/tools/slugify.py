"""A title turned into the slug of its URL."""

import re


def main(event):
    title = event.get("title", "")
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return {"body": {"slug": slug}}
