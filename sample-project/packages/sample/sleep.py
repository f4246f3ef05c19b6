import time


def main(event):
    seconds = float(event.get("seconds", 35))
    print(f"sleeping {seconds} s")
    time.sleep(seconds)
    return {"slept": seconds}
