from chassis.migrations import run_migrations
from reporting.models import Base
from reporting.reports import models as report_models  # noqa: F401  (their tables join Base.metadata)
from reporting.reports import school_models  # noqa: F401

run_migrations(Base.metadata)
