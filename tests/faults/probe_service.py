"""The service the fault suite breaks: only the chassis (outbox relay, topology, consumer with its inbox).

Its consumer appends one row to ``fault_applied`` per application of an event, with no unique key
of its own: a second application would show as a second row, so only the inbox stands between an
event and a duplicate. Run as ``uvicorn probe_service:app`` with the ``JOURNAL_*`` environment.
"""

from sqlalchemy import BigInteger, Column, DateTime, Identity, MetaData, Table, Uuid, func

from chassis.app import create_app
from chassis.auth import TokenSigner
from chassis.consumers import Consumer
from chassis.settings import ServiceSettings
from chassis.testing import verifier_for
from contracts.roster import SubjectCreated

metadata = MetaData()
#: What the producer acknowledged: written in the same transaction as the event's outbox row.
sources = Table(
    "fault_sources",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
applied = Table(
    "fault_applied",
    metadata,
    Column("seq", BigInteger, Identity(), primary_key=True),
    Column("id", Uuid, nullable=False, index=True),
    Column("applied_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

consumer = Consumer("faults.subjects")


@consumer.on(SubjectCreated)
async def apply(session, event: SubjectCreated, envelope) -> None:
    await session.execute(applied.insert().values(id=event.subject_id))


settings = ServiceSettings()
signer = TokenSigner.generate(issuer=settings.token_issuer, audience=settings.token_audience)
app = create_app(settings, title="fault probe", routers=[], consumers=[consumer], verifier=verifier_for(signer))
