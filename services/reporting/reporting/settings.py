from chassis.settings import PORTS, ServiceSettings


class ReportingSettings(ServiceSettings):
    service_name: str = "reporting"
    #: The file store's directory (``chassis.files``): long reports' results, later the archive.
    files_dir: str = "var/files/reporting"
    #: R-65: the archive's second store, kept apart from ``files_dir`` (another disk or mount).
    archive_mirror_dir: str = "var/archive-mirror/reporting"
    #: R-25: gradebook's API, whose mark-change log the year's change report reads (with the reader's own token).
    gradebook_url: str = f"http://127.0.0.1:{PORTS['gradebook']}"
