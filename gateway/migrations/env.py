from chassis.migrations import run_migrations
from gateway.destruction import models as destruction_models  # noqa: F401  (its table in the metadata)
from gateway.models import Base

run_migrations(Base.metadata)
