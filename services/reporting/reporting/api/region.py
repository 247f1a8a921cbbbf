"""The region's figures for the authority (R-61, R-66): period-mark indicators across schools with drill-down.

Read only, for the region's inspectors and its administrator, and for a municipal administrator over their
municipality's schools alone: one transaction reads every school (row-level security's ``region_read``), the
query confines it to the caller's schools, and nothing here writes.
"""

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel

from chassis.deps import CallerDep
from chassis.problems import NotFound
from chassis.tenancy import Tenant
from reporting.api.reports import FormatQuery, answer
from reporting.domain.region import drill, level_figures, readable_schools
from reporting.reports import queries
from reporting.reports.tables import region_table

router = APIRouter(prefix="/region", tags=["region"])


class RegionPeriodOut(BaseModel):
    year: str
    name: str
    starts: date


def _year(year_start: date) -> str:
    return f"{year_start.year}/{year_start.year + 1}"


@router.get("/indicators", response_model=None)
async def region_indicators(
    caller: CallerDep,
    request: Request,
    year: Annotated[str | None, Query(pattern=r"^\d{4}/\d{4}$", description="учебный год, ГГГГ/ГГГГ")] = None,
    period: str | None = None,
    municipality: str | None = None,
    school_id: UUID | None = None,
    grade: int | None = None,
    by_school: bool = False,
    format: FormatQuery = "json",
) -> Response | dict:
    """Успеваемость, качество знаний, средний балл и СОУ по итоговым отметкам периода: by municipality, or every
    school (``by_school``), then a school's parallels and a parallel's subjects. Without ``year`` and ``period``,
    the latest period with marks; the JSON also lists the periods one may choose."""
    schools = readable_schools(caller)
    if school_id is not None and schools is not None and school_id not in schools:
        raise NotFound("Школа не найдена или недоступна.")
    where = drill(municipality, school_id, grade, by_school=by_school)
    async with request.app.state.db.transaction(Tenant(region_read=True)) as session:
        periods = await queries.region_periods(session, schools)
        chosen = _chosen(periods, year, period)
        counts = await queries.region_counts(session, chosen[0], chosen[1], schools, where) if chosen else []
        school = await queries.school_title(session, school_id) if school_id else None
    figures = level_figures(where.level, counts)
    subtitle = [f"Период: {chosen[1]}, {_year(chosen[0])} учебный год" if chosen else "Итоговых отметок пока нет"]
    subtitle += [part for part in (municipality, school, f"{grade} классы" if grade else None) if part]
    table = region_table(figures, subtitle)
    if format != "json":
        # The file's name in Latin letters and digits: the period by its first day.
        return await answer(table, format, *([f"{chosen[2]:%Y%m%d}"] if chosen else []))
    return {
        **table.as_json(),
        "level": figures.level,
        "keys": [row.key for row in figures.rows],
        "periods": [RegionPeriodOut(year=_year(y), name=n, starts=s).model_dump(mode="json") for y, n, s in periods],
        "period": {"year": _year(chosen[0]), "name": chosen[1]} if chosen else None,
    }


def _chosen(periods: list[tuple[date, str, date]], year: str | None, name: str | None) -> tuple[date, str, date] | None:
    if year is None and name is None:
        return periods[-1] if periods else None
    for found in periods:
        if _year(found[0]) == year and found[1] == name:
            return found
    raise NotFound("За этот период в регионе нет итоговых отметок.")
