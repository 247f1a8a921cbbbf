from pathlib import Path

from chassis.settings import ServiceSettings


class NotificationsSettings(ServiceSettings):
    service_name: str = "notifications"
    #: Where the DKIM key, the VAPID key and the link secret live; made on first start.
    keys_dir: Path = Path("var/notifications")
    #: The address people open links in e-mails at (the gateway).
    public_url: str = "http://127.0.0.1:8000"
    mail_from: str = "noreply@journal.local"
    mail_from_name: str = "Электронный журнал"
    #: DKIM d= and s=: publish ``keys_dir/dkim.txt`` as TXT at ``<selector>._domainkey.<domain>``.
    dkim_domain: str = "journal.local"
    dkim_selector: str = "journal"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8026
    smtp_timeout_seconds: float = 10
    #: SMSC.ru's HTTP API; ``make run`` points it at the local fake.
    smsc_url: str = "https://smsc.ru/sys/send.php"
    smsc_login: str = ""
    smsc_password: str = ""
    #: The sender name SMSC shows (registered with SMSC); none: SMSC's default.
    smsc_sender: str | None = None
    #: VAPID ``sub``: how a push service reaches whoever runs the journal.
    vapid_subject: str = "mailto:noreply@journal.local"
    #: The sender loop looks for due deliveries this often.
    delivery_poll_seconds: float = 1.0
    delivery_batch: int = 200
    #: Attempts before a delivery goes to the dead-letter view; retries back off from ``delivery_retry_seconds``.
    delivery_max_attempts: int = 6
    delivery_retry_seconds: float = 30
