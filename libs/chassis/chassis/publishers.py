"""Who may publish which events: each service its own RabbitMQ user, publishing only its own event types.

An event type is named after the service that owns it (``roster.person.registered.v1`` is roster's), except
the state-services portal's ``public.*`` events, which the gateway publishes. RabbitMQ enforces two things
for us: a user may publish to ``school.events`` only under routing keys of its own service (topic
permissions, ``permissions``), and a message's ``user_id`` property must be the publishing connection's
user (the broker refuses a forged one). Consumers then check the validated ``user_id`` against the event
type's owner (``publisher_refusal``), so a service that is taken over cannot feed others events it does
not own, even through a queue or exchange it can write to.
"""

import re
from urllib.parse import unquote, urlsplit

from chassis.settings import ServiceSettings

#: Event type prefixes published by a service of another name.
PUBLISHER_OF_PREFIX = {"public": "gateway"}
#: Every part that publishes or consumes events, each with its own user.
SERVICES = ("gateway", "roster", "gradebook", "attendance", "notifications", "reporting")


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


def permissions(service: str, settings: ServiceSettings, queue_prefix: str = "") -> dict:
    """A service's RabbitMQ permissions (the definitions file's form): its own queues to read and declare,
    the shared exchanges to publish to and bind from, and on the events exchange only its own types."""
    own_queues = re.escape(queue_prefix) + re.escape(service) + r"\..*"
    exchanges = "|".join(
        [re.escape(settings.exchange), re.escape(settings.exchange) + r"\.unrouted", r"school\.dead-letters"]
    )
    delays = re.escape(queue_prefix) + r"school\.delay\..*"
    user = settings.broker_user_template.format(service=service)
    own_types = "|".join(re.escape(p) for p, s in [(service, service), *PUBLISHER_OF_PREFIX.items()] if s == service)
    return {
        "user": user,
        "configure": f"^({own_queues}|{exchanges}|{delays}|{re.escape(settings.public_exchange)})$",
        "write": f"^({own_queues}|{exchanges}|{delays})$",
        "read": f"^({own_queues}|{exchanges}|{delays})$",
        "topic": {"exchange": settings.exchange, "write": rf"^({own_types})\.", "read": ".*"},
    }
