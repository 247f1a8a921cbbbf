from chassis.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    service_name: str = "reporting"
    #: The region's time zone: the diary's "this week" is the school's week.
    timezone: str = "Europe/Moscow"
