"""The price of an order: unit price times quantity, in the shop's currency."""


def main(args):
    quantity = int(args.get("quantity", 1))
    unit_cents = int(args.get("unit_cents", 0))
    return {"total_cents": quantity * unit_cents, "currency": args["currency"]}
