"""Who reads a person's card (карточка), and how much of it (R-1, R-5, DOMAIN §1)."""

from enum import Enum

#: School roles that read every card of their school in full; the region's inspector does too.
WHOLE_SCHOOL_READERS = ("school_admin", "director", "deputy", "secretary")


class Tie(Enum):
    """How the person on the card is tied to the one reading it."""

    SELF = "self"
    #: The person is the reader's child (the reader is their parent or legal representative).
    CHILD = "child"
    #: The person teaches the reader, or the reader's child: a subject teacher or the class teacher.
    TEACHES_READER = "teaches_reader"
    #: The reader teaches a subject in the person's class.
    TAUGHT_BY_READER = "taught_by_reader"
    #: The person is a student of the class the reader leads, or a parent of one.
    IN_READERS_CLASS = "in_readers_class"


class CardView(Enum):
    FULL = "full"
    #: Names only: no birth date (R-5, no more personal data than the reader needs).
    NAME = "name"


def card_view(roles: frozenset[str], reads_region: bool, ties: frozenset[Tie]) -> CardView | None:
    """What of the card the reader sees; None: not even that the person exists (R-1)."""
    if reads_region or roles.intersection(WHOLE_SCHOOL_READERS) or ties & {Tie.SELF, Tie.CHILD}:
        return CardView.FULL
    # the class teacher keeps the data of their class's students and parents.
    if "class_teacher" in roles and Tie.IN_READERS_CLASS in ties:
        return CardView.FULL
    if ("teacher" in roles and Tie.TAUGHT_BY_READER in ties) or Tie.TEACHES_READER in ties:
        return CardView.NAME
    return None
