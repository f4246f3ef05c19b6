def main(event):
    name = event.get("name", "stranger")
    print(f"greeted {name}")
    return {"body": f"Hello {name}!"}
