import os


def main(args):
    name = args.get("name") or args.get("defaultName")
    print(f"greeting {name}")  # noqa: T201 (the function's log)
    return {"body": f"{os.environ.get('GREETING')} {name} from Python!"}
