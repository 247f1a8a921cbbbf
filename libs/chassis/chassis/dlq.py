"""Dead letters, for a person: list, show, requeue (one, by type, all) and purge, with why each died.

    python -m chassis.dlq list [--queue reporting.diary]
    python -m chassis.dlq show MESSAGE_ID
    python -m chassis.dlq requeue (--id MESSAGE_ID | --type TYPE | --all) [--queue ...]
    python -m chassis.dlq purge (--id MESSAGE_ID | --type TYPE | --all) [--queue ...]

The queues are every consumer's ``<queue>.dlq`` and the events exchange's unrouted queue. A
requeued dead letter goes back to its consumer queue with a fresh count of attempts; a requeued
unrouted event goes back through the events exchange (to whichever queue is bound for it now).
Reading takes the messages without acknowledging them, so a crash mid-way loses none.
"""

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractIncomingMessage

from chassis.consumers import ATTEMPT_HEADER, DIED_AT_HEADER, REASON_HEADER
from chassis.settings import ServiceSettings
from chassis.topology import consumer_queue_names, dead_letter_name, service_consumers, unrouted_name


@dataclass(frozen=True)
class DeadLetter:
    queue: str
    message_id: str | None
    type: str | None
    reason: str
    died_at: str | None
    body: bytes

    def summary(self) -> str:
        return f"{self.message_id}\t{self.type or '?'}\t{self.died_at or '?'}\t{self.reason}"


@dataclass(frozen=True)
class Selection:
    """Which dead letters a command acts on: one by id, all of a type, or all."""

    message_id: str | None = None
    event_type: str | None = None
    everything: bool = False

    def __call__(self, letter: DeadLetter) -> bool:
        if self.everything:
            return True
        if self.message_id is not None:
            return letter.message_id == self.message_id
        return self.event_type is not None and letter.type == self.event_type


def reason_of(message: AbstractIncomingMessage) -> str:
    headers = message.headers or {}
    if REASON_HEADER in headers:
        return str(headers[REASON_HEADER])
    deaths = headers.get("x-death") or []
    if deaths:
        # Dead-lettered by the broker itself, e.g. the delivery limit after repeated consumer crashes.
        death = deaths[0]
        return f"broker: {death.get('reason')} in {death.get('queue')}"
    return "unknown"


def _letter(queue: str, message: AbstractIncomingMessage) -> DeadLetter:
    headers = message.headers or {}
    died_at = headers.get(DIED_AT_HEADER)
    return DeadLetter(
        queue=queue,
        message_id=message.message_id,
        type=message.type,
        reason=reason_of(message),
        died_at=str(died_at) if died_at else None,
        body=message.body,
    )


async def _each(channel: AbstractChannel, queue_name: str) -> list[AbstractIncomingMessage]:
    """Every message now in the queue, taken unacknowledged (closing the channel returns the rest)."""
    queue = await channel.get_queue(queue_name, ensure=False)
    taken = []
    while (message := await queue.get(no_ack=False, fail=False)) is not None:
        taken.append(message)
    return taken


async def dead_letters(connection: AbstractConnection, queue_name: str) -> list[DeadLetter]:
    """The dead letters in ``queue_name`` (a ``.dlq`` or the unrouted queue), oldest first, left in place."""
    channel = await connection.channel()
    try:
        return [_letter(queue_name, message) for message in await _each(channel, queue_name)]
    finally:
        await channel.close()


async def requeue(
    connection: AbstractConnection, queue_name: str, select: Selection, settings: ServiceSettings
) -> list[DeadLetter]:
    """Send the selected dead letters back; each is acknowledged only after the broker confirmed its copy."""
    channel = await connection.channel(publisher_confirms=True)
    done = []
    try:
        unrouted = queue_name == unrouted_name(settings)
        exchange = await channel.get_exchange(settings.exchange) if unrouted else channel.default_exchange
        for message in await _each(channel, queue_name):
            letter = _letter(queue_name, message)
            if not select(letter):
                continue
            headers = {
                k: v
                for k, v in (message.headers or {}).items()
                if k not in {ATTEMPT_HEADER, REASON_HEADER, DIED_AT_HEADER, "x-death"}
            }
            copy = aio_pika.Message(
                body=message.body,
                message_id=message.message_id,
                type=message.type,
                content_type=message.content_type,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                headers=headers,
            )
            routing_key = message.routing_key if unrouted else queue_name.removesuffix(".dlq")
            await exchange.publish(copy, routing_key=routing_key or "")
            await message.ack()
            done.append(letter)
    finally:
        await channel.close()
    return done


async def purge(connection: AbstractConnection, queue_name: str, select: Selection) -> list[DeadLetter]:
    """Delete the selected dead letters for good."""
    channel = await connection.channel()
    done = []
    try:
        for message in await _each(channel, queue_name):
            letter = _letter(queue_name, message)
            if select(letter):
                await message.ack()
                done.append(letter)
    finally:
        await channel.close()
    return done


def dead_letter_queues(settings: ServiceSettings, queue: str | None = None) -> list[str]:
    if queue is not None:
        return [dead_letter_name(settings.queue_prefix + queue)]
    names = [dead_letter_name(name) for name in consumer_queue_names(settings, service_consumers())]
    return [*names, unrouted_name(settings)]


async def _run(args: argparse.Namespace, settings: ServiceSettings) -> int:
    connection = await aio_pika.connect(settings.amqp_url)
    async with connection:
        queues = dead_letter_queues(settings, args.queue)
        if args.command in ("list", "show"):
            for queue_name in queues:
                letters = await dead_letters(connection, queue_name)
                if args.command == "list":
                    print(f"{queue_name}: {len(letters)}")
                    for letter in letters:
                        print("  " + letter.summary())
                for letter in letters:
                    if args.command == "show" and letter.message_id == args.message_id:
                        print(json.dumps(_shown(letter), ensure_ascii=False, indent=2))
                        return 0
            if args.command == "show":
                print(f"no dead letter {args.message_id}", file=sys.stderr)
                return 1
            return 0
        select = Selection(args.id, args.type, args.all)
        total = 0
        for queue_name in queues:
            if args.command == "requeue":
                acted = await requeue(connection, queue_name, select, settings)
            else:
                acted = await purge(connection, queue_name, select)
            for letter in acted:
                print(f"{args.command}d {queue_name} {letter.summary()}")
            total += len(acted)
        print(f"{total} {args.command}d")
        return 0


def _shown(letter: DeadLetter) -> dict[str, Any]:
    try:
        body: Any = json.loads(letter.body)
    except ValueError:
        body = letter.body.decode(errors="replace")
    return {
        "queue": letter.queue,
        "id": letter.message_id,
        "type": letter.type,
        "reason": letter.reason,
        "died_at": letter.died_at,
        "event": body,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chassis.dlq", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("list", "show", "requeue", "purge"):
        command = commands.add_parser(name)
        command.add_argument("--queue", help="a consumer queue, e.g. reporting.diary (default: all)")
        if name == "show":
            command.add_argument("message_id")
        if name in ("requeue", "purge"):
            which = command.add_mutually_exclusive_group(required=True)
            which.add_argument("--id", help="one dead letter, by its message (event) id")
            which.add_argument("--type", help="every dead letter of this event type")
            which.add_argument("--all", action="store_true", help="every dead letter")
    args = parser.parse_args(argv)
    return asyncio.run(_run(args, ServiceSettings()))


if __name__ == "__main__":
    sys.exit(main())
