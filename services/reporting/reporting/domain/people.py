"""How people are named in the diary."""


def full_name(last_name: str | None, first_name: str | None) -> str | None:
    """«Фамилия Имя», as class lists show it; None while roster has not told us the name."""
    parts = [p for p in (last_name, first_name) if p]
    return " ".join(parts) or None
