"""Write the AsyncAPI document and one JSON Schema per event type.

uv run export-contracts docs/contracts
"""

import json
import sys
from pathlib import Path

from contracts.base import registry

EXCHANGE = "school.events"
#: The state-services portal reads `public.*` events here, an exchange bound to `school.events`.
PUBLIC_EXCHANGE = "public.events"


def exchange_of(event_type: str) -> str:
    return PUBLIC_EXCHANGE if event_type.startswith("public.") else EXCHANGE


def json_schemas() -> dict[str, dict]:
    return {event_type: model.model_json_schema() for event_type, model in sorted(registry().items())}


def asyncapi() -> dict:
    """An AsyncAPI 3.0 document: one channel per routing key, on `school.events` (`public.events` for `public.*`)."""
    channels: dict[str, dict] = {}
    operations: dict[str, dict] = {}
    messages: dict[str, dict] = {}
    for event_type, model in sorted(registry().items()):
        key = event_type.replace(".", "_")
        messages[key] = {
            "name": event_type,
            "title": model.__name__,
            "summary": (model.__doc__ or "").strip(),
            "contentType": "application/cloudevents+json",
            "headers": {"$ref": "#/components/schemas/CloudEventHeaders"},
            "payload": model.model_json_schema(ref_template="#/components/schemas/{model}"),
        }
        channels[key] = {
            "address": event_type,
            "messages": {key: {"$ref": f"#/components/messages/{key}"}},
            "bindings": {"amqp": {"is": "routingKey", "exchange": {"name": exchange_of(event_type), "type": "topic"}}},
        }
        operations[f"publish_{key}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{key}"},
            "summary": f"{event_type.split('.')[0]} publishes {model.__name__}",
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Электронный журнал и дневник — события",
            "version": "1",
            "description": (
                "Domain events on the `school.events` topic exchange; the `public.*` ones, for the "
                "state-services portal, also on `public.events`. Each message is a CloudEvents 1.0 "
                "structured JSON envelope whose `data` is the payload below; `type` is the routing key "
                "and `id` is the AMQP message_id. Several events of one type and one school may travel as one "
                "message in CloudEvents' JSON batch format (content type `application/cloudevents-batch+json`, "
                "header `x-events` their count, the first one's id as message_id): a JSON array of such envelopes, "
                "each applied on its own. An envelope with the extension `snapshot: true` is an "
                "aggregate's current state re-emitted on request (at its version, straight to one "
                "consumer's queue, for a rebuild or a new consumer): state to store, not news to announce."
            ),
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": messages,
            "schemas": {
                "CloudEventHeaders": {
                    "type": "object",
                    "properties": {
                        "traceparent": {"type": "string", "description": "W3C trace context"},
                        "schoolid": {"type": "string", "format": "uuid"},
                    },
                },
            },
        },
    }


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/contracts")
    (out / "schemas").mkdir(parents=True, exist_ok=True)
    (out / "asyncapi.json").write_text(json.dumps(asyncapi(), ensure_ascii=False, indent=2) + "\n")
    for event_type, schema in json_schemas().items():
        (out / "schemas" / f"{event_type}.json").write_text(json.dumps(schema, ensure_ascii=False, indent=2) + "\n")
    print(f"wrote {out}/asyncapi.json and {len(json_schemas())} schemas")


if __name__ == "__main__":
    main()
