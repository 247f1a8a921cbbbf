"""The destruction act as a PDF: what went, where, when, by whose decision and on what grounds."""

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from chassis.retention_periods import RULES, Kind
from gateway.destruction.models import DestructionRun
from gateway.upstream import SERVICE_TITLES

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape(["html"])
)
WHERE = {**SERVICE_TITLES, "gateway": "Учётные записи и журнал доступа"}


def _term(kind: Kind) -> str:
    rule = RULES[kind]
    length = f"{rule.years} г." if rule.years else f"{rule.days} дн."
    since = "после окончания учебного года" if rule.counted_from == "year_end" else "с даты записи"
    return f"{length} {since}; {rule.grounds}"


def rows(run: DestructionRun) -> list[dict]:
    """One line per service and kind of data, in the order the run went."""
    lines = []
    for service, outcome in run.services.items():
        for kind, count in sorted(outcome.get("removed", {}).items()):
            lines.append(
                {
                    "where": WHERE[service],
                    "title": RULES[Kind(kind)].title,
                    "count": count,
                    "grounds": _term(Kind(kind)),
                }
            )
    return lines


def render_html(run: DestructionRun, school: str) -> str:
    return TEMPLATES.get_template("act.html").render(
        number=str(run.id)[:8].upper(),
        school=school,
        person=run.person_name,
        confirmed_by=run.confirmed_by_name,
        confirmed=f"{run.confirmed_at:%d.%m.%Y %H:%M} UTC",
        finished=f"{run.finished_at:%d.%m.%Y}" if run.finished_at else "",
        as_of=f"{run.as_of:%d.%m.%Y}",
        rows=rows(run),
    )


def render_pdf(run: DestructionRun, school: str) -> bytes:
    # Imported here: WeasyPrint loads Pango at import, which only the act needs.
    from weasyprint import HTML

    return HTML(string=render_html(run, school)).write_pdf()
