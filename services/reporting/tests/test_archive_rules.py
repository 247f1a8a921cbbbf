"""The archive's manifest, verify's findings and the retention terms (R-65)."""

from datetime import UTC, date, datetime

from reporting.domain.archive import Manifest, ManifestEntry, destroy_after, differences, due_for_destruction

MANIFEST = Manifest(
    school_id="s",
    school="МБОУ СОШ № 7",
    academic_year="2026/2027",
    year_ends=date(2027, 6, 30),
    created_at=datetime(2027, 7, 1, tzinfo=UTC),
    entries=[
        ManifestEntry("5А/svodnaya-vedomost.pdf", "aa", 10, "summary_sheet"),
        ManifestEntry("5А/zhurnal-matematika.pdf", "bb", 20, "journal"),
    ],
)


def test_the_manifest_round_trips_in_canonical_form():
    assert Manifest.load(MANIFEST.dump()) == MANIFEST
    assert MANIFEST.dump() == Manifest.load(MANIFEST.dump()).dump()
    assert "МБОУ СОШ № 7".encode() in MANIFEST.dump()


def test_differences_name_each_file():
    assert differences(MANIFEST, {"5А/svodnaya-vedomost.pdf": "aa", "5А/zhurnal-matematika.pdf": "bb"}) == []
    assert differences(MANIFEST, {"5А/svodnaya-vedomost.pdf": "ab", "extra.txt": "cc"}) == [
        "Файл 5А/svodnaya-vedomost.pdf изменён: его хеш не совпадает с описью.",
        "Файл 5А/zhurnal-matematika.pdf отсутствует в архиве.",
        "Файл extra.txt не указан в описи архива.",
    ]


def test_retention_journals_five_years_summary_sheets_twenty_five_never_early():
    assert destroy_after(date(2027, 6, 30), "journal") == date(2032, 6, 30)
    assert destroy_after(date(2027, 6, 30), "summary_sheet") == date(2052, 6, 30)
    assert destroy_after(date(2028, 2, 29), "journal") == date(2033, 2, 28)
    assert due_for_destruction(MANIFEST, date(2032, 6, 29)) == []
    assert [e.path for e in due_for_destruction(MANIFEST, date(2032, 6, 30))] == ["5А/zhurnal-matematika.pdf"]
    assert len(due_for_destruction(MANIFEST, date(2052, 6, 30))) == 2


def test_the_signed_bytes_are_exactly_the_canonical_json():
    # The signature covers these bytes: a different indent, key order or escaping is another document.
    assert MANIFEST.dump().decode() == (
        '{\n "academic_year": "2026/2027",\n "created_at": "2027-07-01T00:00:00+00:00",\n "entries": [\n  {\n'
        '   "path": "5А/svodnaya-vedomost.pdf",\n   "retention": "summary_sheet",\n   "sha256": "aa",\n'
        '   "size": 10\n  },\n  {\n   "path": "5А/zhurnal-matematika.pdf",\n   "retention": "journal",\n'
        '   "sha256": "bb",\n   "size": 20\n  }\n ],\n "school": "МБОУ СОШ № 7",\n "school_id": "s",\n'
        ' "year_ends": "2027-06-30"\n}'
    )
