from chassis.settings import ServiceSettings


class GradebookSettings(ServiceSettings):
    service_name: str = "gradebook"
    #: R-24: days after the lesson during which its record and marks may be entered or changed;
    #: unset (``JOURNAL_EDIT_WINDOW_DAYS=``) means the window never closes before the year ends.
    edit_window_days: int | None = 14
    #: The region's time zone: "today" for the edit window is the school's today.
    timezone: str = "Europe/Moscow"
