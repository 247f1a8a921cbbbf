from chassis.settings import ServiceSettings


class RosterSettings(ServiceSettings):
    service_name: str = "roster"
