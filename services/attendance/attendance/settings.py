from chassis.settings import ServiceSettings


class AttendanceSettings(ServiceSettings):
    service_name: str = "attendance"
    #: R-40: days after the lesson its teacher may still mark or withdraw an absence (002 §5.2).
    teacher_window_days: int = 5
