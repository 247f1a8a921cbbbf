from chassis.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    service_name: str = "reporting"
    #: The file store's directory (``chassis.files``): long reports' results, later the archive.
    files_dir: str = ".files/reporting"
