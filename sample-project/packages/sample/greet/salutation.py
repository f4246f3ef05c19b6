def salute(greeting, name, punctuation):
    return f"{greeting}, {name}{punctuation}"
