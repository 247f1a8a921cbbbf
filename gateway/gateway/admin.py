"""Operator commands of the gateway.

uv run python -m gateway.admin grant-region-role --oid 1000007 --role region_admin --name "Смирнов Павел Андреевич"
"""

import argparse
import asyncio
import sys

from chassis import migrations
from chassis.db import Database
from chassis.tenancy import SYSTEM
from gateway.accounts import REGION_ROLES, grant_region_role
from gateway.main import MIGRATIONS
from gateway.settings import GatewaySettings


async def grant(settings: GatewaySettings, *, esia_oid: str, role: str, name: str) -> None:
    await migrations.upgrade(settings, MIGRATIONS)
    db = Database(settings.database_url, source="/gateway")
    try:
        async with db.transaction(SYSTEM) as session:
            person_id = await grant_region_role(session, esia_oid=esia_oid, role=role, name=name)
    finally:
        await db.dispose()
    print(f"{name} (ЕСИА {esia_oid}): роль {role}, person_id {person_id}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="gateway.admin", description="Команды администратора шлюза")
    commands = parser.add_subparsers(dest="command", required=True)
    region = commands.add_parser("grant-region-role", help="выдать роль уровня региона учётной записи ЕСИА")
    region.add_argument("--oid", required=True, help="oid учётной записи ЕСИА")
    region.add_argument("--role", required=True, choices=REGION_ROLES)
    region.add_argument("--name", required=True, help="ФИО, как его увидит пользователь")
    args = parser.parse_args(argv)
    if not args.oid.isdigit():
        parser.error("oid ЕСИА состоит из цифр")
    asyncio.run(grant(GatewaySettings(), esia_oid=args.oid, role=args.role, name=args.name.strip()))


if __name__ == "__main__":
    main(sys.argv[1:])
