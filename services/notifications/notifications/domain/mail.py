"""The e-mail a notice becomes (R-51): Russian text, a way to stop such letters, headers mail services expect."""

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr


def notice_email(
    *,
    sender: tuple[str, str],
    to: str,
    subject: str,
    body: str,
    message_id: str,
    sent_at: datetime,
    unsubscribe_url: str,
    inbox_url: str,
) -> EmailMessage:
    """A plain-text letter with RFC 8058 one-click unsubscribe (mail.ru and Yandex show it as a button)."""
    message = EmailMessage()
    message["From"] = formataddr(sender)
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(sent_at)
    # Stable per delivery: a letter sent again after a lost answer is recognisably the same letter.
    message["Message-ID"] = message_id
    message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(
        f"{body}\n\n"
        f"Все уведомления — в электронном дневнике: {inbox_url}\n\n"
        "--\n"
        "Вы получили это письмо, потому что выбрали уведомления по электронной почте.\n"
        f"Отказаться от таких писем: {unsubscribe_url}\n"
    )
    return message
