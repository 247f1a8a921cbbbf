"""Russian as the pages write it: the plural form a count takes."""


def plural_form(count: int, one: str, few: str, many: str) -> str:
    """«1 школа», «2 школы», «5 школ», «11 школ», «21 школа»: the form by the last two digits."""
    tens, units = count % 100, count % 10
    if 11 <= tens <= 14:
        return many
    if units == 1:
        return one
    if 2 <= units <= 4:
        return few
    return many
