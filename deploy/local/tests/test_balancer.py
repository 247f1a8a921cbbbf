"""The round-robin balancer of ``make run SCALE=N`` (``tests/deploy/test_scale.py``, marked slow, runs the whole
journal behind it): each new connection goes to the next instance, and what one side sends reaches the other."""

import asyncio

from devstack.balancer import Balancer
from devstack.stack import free_base_port


async def test_new_connections_take_turns_and_carry_both_ways() -> None:
    served: list[str] = []

    def instance(name: str):
        async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            asked = await reader.readline()
            served.append(name)
            writer.write(f"{name}:{asked.decode()}".encode())
            await writer.drain()
            writer.close()

        return answer

    servers = [
        await asyncio.start_server(instance("one"), "127.0.0.1", 0),
        await asyncio.start_server(instance("two"), "127.0.0.1", 0),
    ]
    front = free_base_port()
    balancer = Balancer(front, [server.sockets[0].getsockname()[1] for server in servers])
    await balancer.start()
    try:
        answers = []
        for n in range(4):
            reader, writer = await asyncio.open_connection("127.0.0.1", front)
            writer.write(f"запрос {n}\n".encode())
            await writer.drain()
            answers.append((await reader.read()).decode())
            writer.close()
        assert answers == ["one:запрос 0\n", "two:запрос 1\n", "one:запрос 2\n", "two:запрос 3\n"]
        assert served == ["one", "two", "one", "two"]
    finally:
        await balancer.stop()
        for server in servers:
            server.close()
            await server.wait_closed()
