"""``make run``: start everything, load the demo school, print the URL and the demo logins."""

import argparse
import asyncio
import contextlib
import signal
from pathlib import Path

from devstack.demo import demo_logins, ensure_demo, loaded_demo_school
from devstack.stack import Stack, default_workers


async def main(var_dir: Path, scale: int) -> None:
    stack = Stack(var_dir=var_dir, scale=scale, workers=default_workers())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        if not await loaded_demo_school(stack):
            # A demo that never finished loading (or none yet): begin from empty databases, so a
            # half-loaded school never sits beside a whole one.
            await stack.drop_databases()
        await stack.start()
        await ensure_demo(stack)
        scaled = [f"  Шлюз и журнал оценок: по {stack.scale} экземпляра за балансировщиком."] if stack.scale > 1 else []
        # The public stream's reader (docs/portal.md), made only where the parts have their own users.
        portal = (
            [
                "  Поток для портала госуслуг (docs/portal.md): пользователь RabbitMQ journal_portal,",
                f"  пароль в {stack.secret_file('broker-portal')}.",
            ]
            if stack.broker_users
            else []
        )
        lines = [
            "",
            "=" * 72,
            f"  Электронный журнал: {stack.url('gateway')}",
            *scaled,
            f"  Вход через Госуслуги (тестовый контур ЕСИА: {stack.url('esia_sandbox')}).",
            "  Демо-пользователи (выберите на странице входа Госуслуг):",
            *[f"    • {name} — {role}" for name, role in demo_logins()],
            f"  Доставленные письма, SMS и push: {stack.url('delivery_sandbox')}/sandbox/mail, /sandbox/sms",
            *portal,
            "  Остановить: Ctrl-C",
            "=" * 72,
            "",
        ]
        print("\n".join(lines), flush=True)
        await stop.wait()
    finally:
        with contextlib.suppress(Exception):
            await stack.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m devstack")
    parser.add_argument("--scale", type=int, default=1, help="instances of the gateway and gradebook (SCALE=N)")
    asyncio.run(main(Path("var").resolve(), parser.parse_args().scale))
