"""Russian order for lists people read: class lists, journals, exports and printouts (ГОСТ-style alphabetical).

In Python, ``collation_key`` orders as ICU's ``ru-RU`` collation does for names: letters before
case, Ё with Е (Ёлкин between Егоров and Жуков, Е before Ё only when all else is equal), and
unknown names last. In SQL, ``ORDER BY column COLLATE "ru-RU-x-icu"`` (``RU_COLLATION``) gives the
same order from PostgreSQL's ICU; the byte order of the databases' C collation would put Ё
before А.
"""

#: PostgreSQL's ICU collation for Russian, present in every database built with ICU (Debian's are).
RU_COLLATION = "ru-RU-x-icu"


def collation_key(text: str | None) -> tuple[bool, str, str, str]:
    """The sort key of ``text``: primary by letters (Ё as Е, case aside), then Е before Ё, then lower before upper."""
    if text is None:
        return (True, "", "", "")
    folded = text.casefold()
    return (False, folded.replace("ё", "е"), folded.replace("ё", "е\U0010ffff"), text.swapcase())


def plural(n: int, one: str, few: str, many: str) -> str:
    """The noun for ``n`` as Russian counts it: 1 год, 2 года, 5 лет, 11 лет, 21 год."""
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many
