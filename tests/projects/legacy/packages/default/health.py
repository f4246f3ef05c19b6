def main():
    return {"status": "ok"}
