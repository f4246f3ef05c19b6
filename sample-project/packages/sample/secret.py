def main(args):
    return {"body": "you are in"}
