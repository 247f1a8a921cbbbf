from chassis.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    service_name: str = "reporting"
