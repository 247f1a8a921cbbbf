from chassis.settings import PORTS, ServiceSettings


class ReportingSettings(ServiceSettings):
    service_name: str = "reporting"
    #: The file store's directory (``chassis.files``): long reports' results, later the archive.
    files_dir: str = "var/files/reporting"
    #: R-65: the archive's second store, kept apart from ``files_dir`` (another disk or mount).
    archive_mirror_dir: str = "var/archive-mirror/reporting"
    #: R-25: gradebook's API, whose mark-change log the year's change report reads (with the reader's own token).
    gradebook_url: str = f"http://127.0.0.1:{PORTS['gradebook']}"
    #: R-65: each school's certificate for signing its year-end archive, ``<school id>.pem`` (and in development
    #: its key ``<school id>.key``); in production ``archive_sign_command`` signs with the certified tool.
    archive_keys_dir: str = "var/archive-keys"
    #: The certified signing tool's command; ``{school_id}`` names the school's key (docs/reports.md).
    archive_sign_command: str | None = None
    #: How often the archives of years roster has archived are looked for and built.
    archive_poll_seconds: float = 30.0
