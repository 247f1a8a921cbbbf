from chassis.russian import plural


def test_nouns_agree_with_the_number_as_russian_counts():
    forms = ("год", "года", "лет")
    said = {n: plural(n, *forms) for n in (1, 2, 4, 5, 11, 12, 14, 21, 22, 25, 101, 111)}
    assert said == {
        1: "год",
        2: "года",
        4: "года",
        5: "лет",
        11: "лет",
        12: "лет",
        14: "лет",
        21: "год",
        22: "года",
        25: "лет",
        101: "год",
        111: "лет",
    }
