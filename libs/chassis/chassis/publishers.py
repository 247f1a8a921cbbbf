"""Who may publish which events: each service its own RabbitMQ user, publishing only its own event types.

An event type is named after the service that owns it (``roster.person.registered.v1`` is roster's), except
the state-services portal's ``public.*`` events, which the gateway publishes. RabbitMQ enforces two things
for us: a user may publish to ``school.events`` only under routing keys of its own service (topic
permissions, ``permissions``), and a message's ``user_id`` property must be the publishing connection's
user (the broker refuses a forged one). Consumers then check the validated ``user_id`` against the event
type's owner (``publisher_refusal``), so a service that is taken over cannot feed others events it does
not own, even through a queue or exchange it can write to.
"""

import argparse
import os
import re
import sys
from urllib.parse import quote, unquote, urlsplit

import httpx

from chassis.settings import ServiceSettings

#: Event type prefixes published by a service of another name.
PUBLISHER_OF_PREFIX = {"public": "gateway"}
#: Every part that publishes or consumes events, each with its own user.
SERVICES = ("gateway", "roster", "gradebook", "attendance", "notifications", "reporting")
#: The state-services portal (R-70): no part of ours, a reader of the public stream (docs/portal.md).
PORTAL = "portal"
#: Every RabbitMQ user a deploy makes: each part's and the portal's.
USERS = (*SERVICES, PORTAL)


def publishing_service(event_type: str) -> str:
    prefix = event_type.split(".", 1)[0]
    return PUBLISHER_OF_PREFIX.get(prefix, prefix)


def broker_user(amqp_url: str) -> str:
    """The RabbitMQ user a connection URL logs in as (``guest`` when it names none)."""
    return unquote(urlsplit(amqp_url).username or "guest")


def publisher_refusal(event_type: str, user_id: str | None, *, own_user: str, template: str) -> str | None:
    """Why an event may not be taken from this publisher, or None.

    The owner's user is accepted, and this service's own (its retries and requeued dead letters come
    back published by itself, and it can fool only itself).
    """
    owner = template.format(service=publishing_service(event_type))
    if user_id in (owner, own_user):
        return None
    return f"publisher {user_id or 'unnamed'} does not own {event_type} (expected {owner})"


#: A topic permission's pattern that matches no routing key (PCRE's always-failing group).
NOTHING = "(?!)"


def permissions(service: str, settings: ServiceSettings, queue_prefix: str = "") -> dict:
    """A service's RabbitMQ permissions (the definitions file's form): its own queues to read and declare,
    the shared exchanges to publish to and bind from, and on the events exchange only its own types.

    Every service declares the shared topology, the portal's exchange with its alternate exchange and binding
    included, which needs read and write on it; its topic permission there lets no one publish to it directly
    (its events arrive through the binding, published to the events exchange under the topic permission above)."""
    if service == PORTAL:
        return portal_permissions(settings, queue_prefix)
    own_queues = re.escape(queue_prefix) + re.escape(service) + r"\..*"
    exchanges = "|".join(
        [re.escape(settings.exchange), re.escape(settings.exchange) + r"\.unrouted", r"school\.dead-letters"]
    )
    delays = re.escape(queue_prefix) + r"school\.delay\..*"
    public = re.escape(settings.public_exchange)
    user = settings.broker_user_template.format(service=service)
    own_types = "|".join(re.escape(p) for p, s in [(service, service), *PUBLISHER_OF_PREFIX.items()] if s == service)
    return {
        "user": user,
        "configure": f"^({own_queues}|{exchanges}|{delays}|{public})$",
        # The default exchange: the delay queues return expired messages through it, so declaring them needs
        # it. It also reaches any queue by name, which is why consumers check the publisher (above).
        "write": f"^({own_queues}|{exchanges}|{delays}|{public}|amq\\.default)$",
        "read": f"^({own_queues}|{exchanges}|{delays}|{public})$",
        "topics": [
            {"exchange": settings.exchange, "write": rf"^({own_types})\.", "read": ".*"},
            {"exchange": settings.public_exchange, "write": NOTHING, "read": ".*"},
        ],
    }


def portal_permissions(settings: ServiceSettings, queue_prefix: str = "") -> dict:
    """The portal's: declare its own queues ``portal.*``, bind them from the public exchange and read them.

    It can publish nowhere (no write on any exchange, the default one included, so it cannot feed a service's
    queue by name) and read nothing else: not the events exchange, not a service's queue. Binding needs write
    on the queue and read on the exchange; declaring needs configure on the queue."""
    own_queues = re.escape(queue_prefix) + re.escape(PORTAL) + r"\..*"
    return {
        "user": settings.broker_user_template.format(service=PORTAL),
        "configure": f"^({own_queues})$",
        "write": f"^({own_queues})$",
        "read": f"^({own_queues}|{re.escape(settings.public_exchange)})$",
        "topics": [{"exchange": settings.public_exchange, "write": NOTHING, "read": ".*"}],
    }


def management_requests(
    service: str, password: str, settings: ServiceSettings, queue_prefix: str = ""
) -> list[tuple[str, str, dict]]:
    """The RabbitMQ management API's calls that make ``service``'s user with its permissions (idempotent PUTs:
    a user already there gets its password and permissions again)."""
    granted = permissions(service, settings, queue_prefix)
    user = quote(granted["user"], safe="")
    return [
        ("PUT", f"/api/users/{user}", {"password": password, "tags": ""}),
        ("PUT", f"/api/permissions/%2F/{user}", {k: granted[k] for k in ("configure", "write", "read")}),
        *(("PUT", f"/api/topic-permissions/%2F/{user}", topic) for topic in granted["topics"]),
    ]


def provision(
    management_url: str,
    admin: tuple[str, str],
    passwords: dict[str, str],
    settings: ServiceSettings,
    queue_prefix: str = "",
) -> None:
    """Every user of ``passwords`` through the management API, as the broker's administrator: the deploy job,
    and ``make run`` on the local broker as its default user."""
    with httpx.Client(base_url=management_url, auth=admin, timeout=30) as client:
        for service, password in passwords.items():
            for method, path, body in management_requests(service, password, settings, queue_prefix):
                client.request(method, path, json=body).raise_for_status()


def broker_admin(settings: ServiceSettings) -> tuple[str, str]:
    """The administrator of a local broker: the user of the services' default connection (``guest``)."""
    url = urlsplit(settings.amqp_url)
    return unquote(url.username or "guest"), unquote(url.password or "guest")


def main(argv: list[str] | None = None) -> None:
    """``python -m chassis.publishers provision URL``: the administrator from ``RABBITMQ_ADMIN_USER`` and
    ``RABBITMQ_ADMIN_PASSWORD``, each user's password from ``JOURNAL_BROKER_PASSWORD_<SERVICE>`` (the portal's
    from ``JOURNAL_BROKER_PASSWORD_PORTAL``)."""
    parser = argparse.ArgumentParser(prog="python -m chassis.publishers")
    parser.add_argument("command", choices=["provision"])
    parser.add_argument("management_url")
    args = parser.parse_args(argv)
    missing = [s for s in USERS if not os.environ.get(f"JOURNAL_BROKER_PASSWORD_{s.upper()}")]
    if missing:
        sys.exit(f"no password for the RabbitMQ users of {', '.join(missing)} (JOURNAL_BROKER_PASSWORD_<SERVICE>)")
    passwords = {s: os.environ[f"JOURNAL_BROKER_PASSWORD_{s.upper()}"] for s in USERS}
    admin = (os.environ["RABBITMQ_ADMIN_USER"], os.environ["RABBITMQ_ADMIN_PASSWORD"])
    # Only the exchanges' names are read (JOURNAL_EXCHANGE …): this job is no service, the profile's checks are not
    # its own.
    provision(args.management_url, admin, passwords, ServiceSettings(profile="development"))


if __name__ == "__main__":
    main()
