def main(args):
    name = args.get("name") or "stranger"
    print(f"greeting {name} from the web")
    return {"body": {"greeting": f"Hello {name}!"}}
