from attendance.models import Base
from chassis.migrations import run_migrations

run_migrations(Base.metadata)
