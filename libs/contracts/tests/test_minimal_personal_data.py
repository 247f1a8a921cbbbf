"""Minimisation (152-ФЗ ст. 5, R-5): no event carries more personal data than its consumers need.

Every field of every event schema (nested ones too) whose name says it is personal — names, birth date,
СНИЛС, documents, phone, e-mail, ESIA ids — must be on the allow-list below with the reason a consumer
needs it. The public stream for the state portal (``public.*``) carries the student's ESIA id and nothing else.
"""

from chassis.personal_data import looks_personal
from contracts.base import registry

_LOGIN_MATCHING = "the gateway binds the first ESIA login by СНИЛС + name + birth date (R-2); others keep names"
_TRANSFER = "the receiving school enrols the student as its own (R-16): the card travels with them"
_SUBSTITUTE = "the diary and the journal show who gives the lesson instead (R-14)"
_PORTAL_KEY = "the portal addresses the student by their ESIA id alone (R-70)"

PERSON_FIELDS = ("last_name", "first_name", "middle_name", "birth_date", "snils", "esia_oid")
ALLOWED: dict[tuple[str, str], str] = {
    **{("roster.person.registered.v1", f): _LOGIN_MATCHING for f in PERSON_FIELDS},
    **{("roster.person.changed.v1", f): _LOGIN_MATCHING for f in PERSON_FIELDS},
    **{("roster.student_transfer.offered.v1", f): _TRANSFER for f in PERSON_FIELDS},
    **{
        (f"roster.timetable_lesson.{kind}.v1", "substitute_name"): _SUBSTITUTE
        for kind in ("scheduled", "changed", "cancelled", "substituted")
    },
    **{
        (f"public.{name}.v1", "student_esia_oid"): _PORTAL_KEY
        for name in (
            "absence.corrected",
            "absence.recorded",
            "absence.withdrawn",
            "mark.changed",
            "mark.deleted",
            "mark.posted",
            "period_mark.set",
            "student.enrolled",
        )
    },
}


def field_paths(schema: dict, defs: dict, prefix: str = "") -> list[str]:
    """Every property of a JSON Schema, nested models' as ``outer.inner``."""
    found = []
    for name, prop in schema.get("properties", {}).items():
        found.append(prefix + name)
        for variant in [
            prop,
            prop.get("items", {}),
            *prop.get("anyOf", []),
            *[a.get("items", {}) for a in prop.get("anyOf", [])],
        ]:
            ref = variant.get("$ref") if isinstance(variant, dict) else None
            if ref:
                found += field_paths(defs[ref.rsplit("/", 1)[-1]], defs, f"{prefix}{name}.")
    return found


def personal_fields() -> set[tuple[str, str]]:
    found = set()
    for event_type, model in registry().items():
        schema = model.model_json_schema()
        for path in field_paths(schema, schema.get("$defs", {})):
            if looks_personal(path.rsplit(".", 1)[-1]):
                found.add((event_type, path))
    return found


def test_every_personal_field_of_every_event_is_allowed_with_a_reason():
    assert personal_fields() - set(ALLOWED) == set()


def test_the_allow_list_names_only_fields_that_exist():
    assert set(ALLOWED) - personal_fields() == set()


def test_the_public_stream_carries_the_students_esia_id_and_no_other_personal_data():
    public = {(t, f) for t, f in personal_fields() if t.startswith("public.")}
    assert public and {f for _, f in public} == {"student_esia_oid"}


def test_a_nested_personal_field_is_found():
    # StudentTransferOffered's history lines are nested models: a name added there would not slip by.
    paths = field_paths(
        registry()["roster.student_transfer.offered.v1"].model_json_schema(),
        registry()["roster.student_transfer.offered.v1"].model_json_schema()["$defs"],
    )
    assert "history.class_name" in paths
