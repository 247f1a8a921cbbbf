from chassis.migrations import run_migrations
from gradebook.models import Base

run_migrations(Base.metadata)
