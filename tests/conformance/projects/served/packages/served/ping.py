def main(args):
    return {"body": "pong"}
