from chassis.settings import ServiceSettings


class RosterSettings(ServiceSettings):
    service_name: str = "roster"
    #: How often the rolling horizon looks for schools whose day has turned (``roster.horizon``).
    horizon_check_seconds: float = 600.0
