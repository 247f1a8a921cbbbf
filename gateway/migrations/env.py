from chassis.migrations import run_migrations
from gateway.destruction import models as destruction_models  # noqa: F401  (its table in the metadata)
from gateway.models import Base
from gateway.privacy import models  # noqa: F401  (its tables join the metadata)

run_migrations(Base.metadata)
