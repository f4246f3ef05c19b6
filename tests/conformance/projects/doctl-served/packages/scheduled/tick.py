def main(event):
    return {"body": event.get("greeting", "tick")}
