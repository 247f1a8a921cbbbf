from chassis.migrations import run_migrations
from roster.models import Base

run_migrations(Base.metadata)
