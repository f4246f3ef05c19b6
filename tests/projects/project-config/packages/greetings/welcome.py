import os


def main(args):
    name = args.get("name", "partner")
    return {"body": f"{os.environ['GREETING']}, {name}! Welcome to {args['place']}."}
