from pydantic import field_validator

from chassis.settings import ServiceSettings
from gradebook.domain.edit_window import default_choice


class GradebookSettings(ServiceSettings):
    service_name: str = "gradebook"
    #: R-24: days after the lesson during which its record and marks may be entered or changed,
    #: for a school whose administrator has not chosen its own window (``school_policies``);
    #: unset (``JOURNAL_EDIT_WINDOW_DAYS=``) means the window never closes before the year ends.
    edit_window_days: int | None = 14
    #: R-25: how often the mark-change log's new entries are sealed into each school's chain (``gradebook.audit``).
    mark_change_seal_seconds: float = 5.0

    @field_validator("edit_window_days")
    @classmethod
    def _one_of_the_choices(cls, days: int | None) -> int | None:
        # the default must be a window the administrator could have chosen.
        default_choice(days)
        return days
