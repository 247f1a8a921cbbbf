"""The e-mail a notice becomes (R-51): headers mail services expect and a way to stop such letters."""

from datetime import UTC, datetime

from notifications.domain.mail import notice_email


def test_a_notice_letter_carries_one_click_unsubscribe_and_the_diarys_address():
    letter = notice_email(
        sender=("Электронный журнал", "journal@school.example"),
        to="ivanova@mail.ru",
        subject="Новая отметка",
        body="Отметка 5 по предмету «Химия».",
        message_id="<d1@school.example>",
        sent_at=datetime(2026, 11, 24, 9, 30, tzinfo=UTC),
        unsubscribe_url="https://journal.example/unsubscribe/T",
        inbox_url="https://journal.example/inbox",
    )
    # Header names as mail services spell them (a name is case-insensitive to a reader, not to a diff of the letter).
    assert letter.keys() == [
        "From",
        "To",
        "Subject",
        "Date",
        "Message-ID",
        "List-Unsubscribe",
        "List-Unsubscribe-Post",
        "Content-Type",
        "Content-Transfer-Encoding",
        "MIME-Version",
    ]
    assert letter["From"] == "Электронный журнал <journal@school.example>"
    assert letter["To"] == "ivanova@mail.ru"
    assert letter["Subject"] == "Новая отметка"
    assert letter["Date"] == "Tue, 24 Nov 2026 09:30:00 +0000"
    assert letter["Message-ID"] == "<d1@school.example>"
    # RFC 8058: both headers, exactly so, or mail.ru and Yandex show no button.
    assert letter["List-Unsubscribe"] == "<https://journal.example/unsubscribe/T>"
    assert letter["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert letter.get_content_type() == "text/plain"
    assert letter.get_content() == (
        "Отметка 5 по предмету «Химия».\n\n"
        "Все уведомления — в электронном дневнике: https://journal.example/inbox\n\n"
        "--\n"
        "Вы получили это письмо, потому что выбрали уведомления по электронной почте.\n"
        "Отказаться от таких писем: https://journal.example/unsubscribe/T\n"
    )
