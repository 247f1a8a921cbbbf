"""Operator commands of the gateway.

uv run python -m gateway.admin grant-region-role --oid 1000007 --role region_admin --name "Смирнов Павел Андреевич"
uv run python -m gateway.admin grant-region-role --oid 1000012 --role municipal_admin --name "…" --municipality <id>
uv run python -m gateway.admin add-portal-client --name "Госуслуги" --scopes schedule changes
uv run python -m gateway.admin revoke-portal-client --client-id portal-0123456789abcdef
"""

import argparse
import asyncio
import sys
from uuid import UUID

from chassis import migrations
from chassis.db import Database
from chassis.tenancy import SYSTEM
from gateway.accounts import REGION_ROLES, grant_region_role
from gateway.domain.portal_pull import SCOPES
from gateway.main import MIGRATIONS
from gateway.portal_clients import register_client, revoke_client
from gateway.settings import GatewaySettings


async def in_transaction(settings: GatewaySettings, work):
    await migrations.upgrade(settings, MIGRATIONS)
    db = Database(settings.database_url, source="/gateway")
    try:
        async with db.transaction(SYSTEM) as session:
            return await work(session)
    finally:
        await db.dispose()


async def grant(
    settings: GatewaySettings, *, esia_oid: str, role: str, name: str, municipality_id: UUID | None
) -> None:
    person_id = await in_transaction(
        settings,
        lambda session: grant_region_role(
            session, esia_oid=esia_oid, role=role, name=name, municipality_id=municipality_id
        ),
    )
    print(f"{name} (ЕСИА {esia_oid}): роль {role}, person_id {person_id}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="gateway.admin", description="Команды администратора шлюза")
    commands = parser.add_subparsers(dest="command", required=True)
    region = commands.add_parser("grant-region-role", help="выдать роль уровня региона учётной записи ЕСИА")
    region.add_argument("--oid", required=True, help="oid учётной записи ЕСИА")
    region.add_argument("--role", required=True, choices=REGION_ROLES)
    region.add_argument("--name", required=True, help="ФИО, как его увидит пользователь")
    region.add_argument("--municipality", type=UUID, help="муниципалитет (его id в roster) для роли municipal_admin")
    client = commands.add_parser("add-portal-client", help="зарегистрировать клиента портала госуслуг (R-70)")
    client.add_argument("--name", required=True, help="чей это клиент, например «Госуслуги»")
    client.add_argument("--scopes", nargs="+", required=True, choices=sorted(SCOPES))
    client.add_argument("--per-minute", type=int, default=600, help="запросов в минуту до ответа 429")
    revoke = commands.add_parser("revoke-portal-client", help="отозвать клиента портала и его токены")
    revoke.add_argument("--client-id", required=True)
    args = parser.parse_args(argv)
    settings = GatewaySettings()
    if args.command == "grant-region-role":
        if not args.oid.isdigit():
            parser.error("oid ЕСИА состоит из цифр")
        if (args.role == "municipal_admin") != (args.municipality is not None):
            parser.error("--municipality указывается для роли municipal_admin, и только для неё")
        asyncio.run(
            grant(
                settings,
                esia_oid=args.oid,
                role=args.role,
                name=args.name.strip(),
                municipality_id=args.municipality,
            )
        )
    elif args.command == "add-portal-client":
        client_id, secret = asyncio.run(
            in_transaction(
                settings,
                lambda session: register_client(
                    session, name=args.name.strip(), scopes=frozenset(args.scopes), calls_per_minute=args.per_minute
                ),
            )
        )
        print(f"client_id: {client_id}\nclient_secret: {secret}\nСекрет показан один раз: сохраните его сейчас.")
    elif not asyncio.run(in_transaction(settings, lambda session: revoke_client(session, args.client_id))):
        sys.exit(f"Клиент {args.client_id} не найден или уже отозван.")
    else:
        print(f"Клиент {args.client_id} отозван.")


if __name__ == "__main__":
    main(sys.argv[1:])
