"""Domain errors and their one mapping to RFC 9457 problem responses.

Services raise these; the app factory installs the handlers, so no route builds an
error response by hand. Titles and details are in Russian: a school user reads them.
"""

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"
#: What an overloaded service asks a client to wait before it tries again.
OVERLOAD_RETRY_SECONDS = 5
log = structlog.get_logger()


class DomainError(Exception):
    status = 400
    title = "Некорректный запрос"
    slug = "bad-request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class Invalid(DomainError):
    status = 422
    title = "Данные не прошли проверку"
    slug = "invalid"


class Unauthorized(DomainError):
    status = 401
    title = "Требуется вход в систему"
    slug = "unauthorized"


class Forbidden(DomainError):
    status = 403
    title = "Недостаточно прав"
    slug = "forbidden"


class NotFound(DomainError):
    status = 404
    title = "Не найдено"
    slug = "not-found"


class Conflict(DomainError):
    status = 409
    title = "Конфликт с текущим состоянием"
    slug = "conflict"


class Unavailable(DomainError):
    """Another service this answer needs did not answer: nothing was changed, the request may be repeated."""

    status = 503
    title = "Сервис временно недоступен"
    slug = "unavailable"


def problem(status: int, title: str, detail: str, slug: str, instance: str | None = None, **extra: Any) -> JSONResponse:
    body = {
        "type": f"https://journal.example/problems/{slug}",
        "title": title,
        "status": status,
        "detail": detail,
        **extra,
    }
    if instance:
        body["instance"] = instance
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


_HTTP_TITLES = {
    404: ("Не найдено", "Такого адреса нет.", "not-found"),
    405: ("Метод не поддерживается", "Этот адрес не принимает такой запрос.", "method-not-allowed"),
}


def _field(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc if p not in ("body", "query", "path", "header"))


#: SQLSTATE class 22, "data exception": invalid text, NUL byte, numeric out of range, string too long.
_DATA_EXCEPTION = "22"


#: A write in a read-only transaction (``Tenant.read_only``).
_READ_ONLY_TRANSACTION = "25006"


def _sqlstate(exc: DBAPIError) -> str | None:
    sqlstate = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return sqlstate if isinstance(sqlstate, str) else None


def _is_bad_value(exc: DBAPIError) -> bool:
    return (_sqlstate(exc) or "").startswith(_DATA_EXCEPTION)


def _db_refusal(exc: DBAPIError) -> dict[str, str | None]:
    """What of a database refusal goes to the log: its SQLSTATE, table and constraint, never its message,
    whose DETAIL quotes the row's values (a СНИЛС, a birth date; R-5)."""
    cause = exc.orig.__cause__ if exc.orig is not None else None
    return {
        "sqlstate": getattr(exc.orig, "sqlstate", None),
        "table": getattr(cause, "table_name", None),
        "constraint": getattr(cause, "constraint_name", None),
    }


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def on_domain_error(request: Request, exc: DomainError) -> JSONResponse:
        return problem(exc.status, exc.title, exc.detail, exc.slug, request.url.path, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return problem(
                400,
                "Некорректный JSON",
                "Тело запроса не является корректным JSON.",
                "malformed-json",
                request.url.path,
            )
        fields = [{"field": _field(tuple(e["loc"])) or "body", "message": e["msg"]} for e in errors]
        names = ", ".join(dict.fromkeys(f["field"] for f in fields))
        return problem(422, Invalid.title, f"Проверьте поля: {names}.", Invalid.slug, request.url.path, errors=fields)

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        title, detail, slug = _HTTP_TITLES.get(exc.status_code, ("Ошибка запроса", str(exc.detail), "http"))
        return problem(exc.status_code, title, detail, slug, request.url.path)

    @app.exception_handler(IntegrityError)
    async def on_integrity_error(request: Request, exc: IntegrityError) -> JSONResponse:
        # A constraint the service did not check first (a race): the write did not happen.
        log.warning("integrity_error", **_db_refusal(exc))
        return problem(
            409,
            Conflict.title,
            "Запись противоречит уже сохранённым данным; ничего не изменено.",
            Conflict.slug,
            request.url.path,
        )

    @app.exception_handler(DBAPIError)
    async def on_db_unavailable(request: Request, exc: DBAPIError) -> JSONResponse:
        if _sqlstate(exc) == _READ_ONLY_TRANSACTION:
            # A reader from outside the school (the municipal administrator) reached a write.
            return problem(
                403, Forbidden.title, "Доступ только для чтения; ничего не изменено.", Forbidden.slug, request.url.path
            )
        if _is_bad_value(exc):
            # A value PostgreSQL cannot hold (a NUL byte, a number or string past its column):
            # the request is at fault, not the database, and the transaction was rolled back.
            log.warning("data_error", **_db_refusal(exc))
            return problem(
                422,
                Invalid.title,
                "Недопустимое значение в запросе; ничего не изменено.",
                Invalid.slug,
                request.url.path,
            )
        log.error("database_error", error=str(exc))
        return problem(
            503,
            "Сервис временно недоступен",
            "Повторите запрос через минуту; ничего не изменено.",
            "unavailable",
            request.url.path,
        )

    @app.exception_handler(PoolTimeout)
    async def on_overload(request: Request, exc: PoolTimeout) -> JSONResponse:
        # Every connection of the pool was busy for the pool's whole wait: too many requests at once (a login storm
        # on a machine short of CPU). Nothing was begun.
        log.warning("database_pool_exhausted")
        response = problem(
            503,
            "Сервис перегружен",
            "Слишком много запросов одновременно. Повторите через несколько секунд; ничего не изменено.",
            "overloaded",
            request.url.path,
        )
        response.headers["Retry-After"] = str(OVERLOAD_RETRY_SECONDS)
        return response

    @app.exception_handler(Exception)
    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled_error")
        return problem(
            500, "Внутренняя ошибка", "Запрос не выполнен; ничего не изменено.", "internal", request.url.path
        )
