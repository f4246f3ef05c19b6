import os

import inflection


def main(args):
    word = args.get("word", "function")
    here = os.path.dirname(os.path.abspath(__file__))
    return {
        "plural": inflection.pluralize(word),
        "title": inflection.titleize(word),
        "installed_in": os.path.relpath(inflection.__file__, here),
    }
