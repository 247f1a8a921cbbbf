"""The texts of the family's notifications (R-51, R-52): what a parent reads, in Russian."""

from dataclasses import dataclass
from datetime import date

#: R-40: the reason codes Б/У/Н/О with what they mean.
ABSENCE_REASONS = {
    "ill": "Б (по болезни)",
    "excused": "У (по уважительной причине)",
    "unexcused": "Н (без уважительной причины)",
    "late": "О (опоздание)",
}


@dataclass(frozen=True)
class Notice:
    title: str
    body: str


def work_type_name(code: str, title: str) -> str:
    """The вид работы as a sentence names it, from the title gradebook puts in the event.

    An event from before the title was carried has it empty: the code is shown rather than nothing.
    """
    return title.lower() if title else code


def full_name(last_name: str, first_name: str) -> str:
    """«Фамилия Имя», as class lists show it."""
    return f"{last_name} {first_name}"


def _day(day: date) -> str:
    return f"{day:%d.%m.%Y}"


def _weight(weight: float) -> str:
    """A weight as Russians write numbers: 2, 1,5."""
    return f"{weight:g}".replace(".", ",")


def _about(student_name: str | None, text: str) -> str:
    """Whose news it is: a parent may have several children; the name is missing until roster tells it."""
    return f"{student_name}: {text}" if student_name else text[0].upper() + text[1:]


def mark_posted(
    student_name: str | None,
    subject: str,
    value: str,
    work_type: str,
    work_type_title: str,
    weight: float,
    day: date,
) -> Notice:
    kind = work_type_name(work_type, work_type_title)
    details = f"{kind}, вес {_weight(weight)}" if weight > 0 else kind
    return Notice(
        title=f"Новая отметка: {value} — {subject}, {kind}, {_day(day)}",
        body=_about(student_name, f"отметка {value} по предмету «{subject}» за урок {_day(day)} ({details})."),
    )


def mark_changed(
    student_name: str | None,
    subject: str,
    old_value: str,
    value: str,
    work_type: str,
    work_type_title: str,
    day: date,
) -> Notice:
    # the family sees both the old and the new value of a changed mark.
    kind = work_type_name(work_type, work_type_title)
    return Notice(
        title=f"Отметка исправлена: {old_value} → {value} — {subject}, {kind}, {_day(day)}",
        body=_about(
            student_name,
            f"отметка по предмету «{subject}» за урок {_day(day)} ({kind}) исправлена с {old_value} на {value}.",
        ),
    )


def mark_retyped(
    student_name: str | None, subject: str, value: str, old_kind: str, work_type: str, work_type_title: str, day: date
) -> Notice:
    """R-25: the teacher put the mark under another вид работы (its weight follows); ``old_kind`` is the old code."""
    kind = work_type_name(work_type, work_type_title)
    return Notice(
        title=f"Вид работы исправлен: {value} — {subject}, {kind}, {_day(day)}",
        body=_about(
            student_name,
            f"отметка {value} по предмету «{subject}» за урок {_day(day)} теперь учитывается как «{kind}» "
            f"(было: {old_kind}).",
        ),
    )


def mark_moved(
    student_name: str | None, subject: str, value: str, work_type: str, work_type_title: str, day: date
) -> Notice:
    """R-25: the lesson was moved to the date it was really given, and its mark with it."""
    kind = work_type_name(work_type, work_type_title)
    return Notice(
        title=f"Отметка перенесена: {value} — {subject}, {kind}, урок {_day(day)}",
        body=_about(student_name, f"урок «{subject}» с отметкой {value} ({kind}) перенесён на {_day(day)}."),
    )


def mark_deleted(
    student_name: str | None, subject: str, value: str, work_type: str, work_type_title: str, day: date, reason: str
) -> Notice:
    """R-25: a mark deleted by the teacher, with the reason they gave."""
    kind = work_type_name(work_type, work_type_title)
    return Notice(
        title=f"Отметка удалена: {value} — {subject}, {kind}, {_day(day)}",
        body=_about(
            student_name,
            f"отметка {value} по предмету «{subject}» за урок {_day(day)} ({kind}) удалена. Причина: {reason}.",
        ),
    )


def absence_recorded(student_name: str | None, subject: str, reason: str, day: date) -> Notice:
    if reason == "late":
        return Notice(
            title=f"Опоздание на урок: {subject}, {_day(day)} — {ABSENCE_REASONS[reason]}",
            body=_about(student_name, f"опоздание на урок «{subject}» {_day(day)}."),
        )
    return Notice(
        title=f"Пропуск урока: {subject}, {_day(day)} — {ABSENCE_REASONS[reason]}",
        body=_about(student_name, f"пропуск урока «{subject}» {_day(day)} — {ABSENCE_REASONS[reason]}."),
    )


def absence_corrected(student_name: str | None, subject: str, previous_reason: str, reason: str, day: date) -> Notice:
    # the class teacher set or corrected the reason.
    return Notice(
        title=f"Причина пропуска изменена: {subject}, {_day(day)} — {ABSENCE_REASONS[reason]}",
        body=_about(
            student_name,
            f"причина пропуска урока «{subject}» {_day(day)} изменена: "
            f"было {ABSENCE_REASONS[previous_reason]}, стало {ABSENCE_REASONS[reason]}.",
        ),
    )


def absence_moved(student_name: str | None, subject: str, reason: str, previous_day: date | None, day: date) -> Notice:
    """R-25: the absence was put on the right lesson (another one, or its lesson's true date)."""
    what, moved, marked = (
        ("Опоздание", "перенесено", "отмечено") if reason == "late" else ("Пропуск", "перенесён", "отмечен")
    )
    was = f" (было: {_day(previous_day)})" if previous_day else ""
    return Notice(
        title=f"{what} {moved} на другой урок: {subject}, {_day(day)}",
        body=_about(student_name, f"{what.lower()} теперь {marked} на уроке «{subject}» {_day(day)}{was}."),
    )


def absence_withdrawn(student_name: str | None, subject: str, reason: str, day: date) -> Notice:
    if reason == "late":
        return Notice(
            title=f"Отметка об опоздании снята: {subject}, {_day(day)}",
            body=_about(student_name, f"опоздание на урок «{subject}» {_day(day)} отмечено по ошибке и снято."),
        )
    return Notice(
        title=f"Отметка о пропуске снята: {subject}, {_day(day)}",
        body=_about(student_name, f"пропуск урока «{subject}» {_day(day)} отмечен по ошибке и снят."),
    )


def homework(subject: str, day: date, text: str) -> Notice:
    """R-51: homework reaches the family without asking anyone."""
    return Notice(title=f"Домашнее задание: {subject}, урок {_day(day)}", body=f"«{subject}», урок {_day(day)}: {text}")


def announcement(title: str, text: str, starts_on: date, ends_on: date) -> Notice:
    """R-53: an announcement as the family reads it."""
    dates = _day(starts_on) if starts_on == ends_on else f"с {_day(starts_on)} по {_day(ends_on)}"
    return Notice(title=f"Объявление: {title}", body=f"{text}\n\n({dates})")


def failing_mark_alert(student_name: str | None, subject: str, value: str, day: date) -> Notice:
    """R-52: a failing mark, for the class teacher and the parents."""
    return Notice(
        title=f"Внимание: неудовлетворительная отметка {value} — {subject}, {_day(day)}",
        body=_about(student_name, f"получена отметка {value} по предмету «{subject}» за урок {_day(day)}."),
    )


def absence_run_alert(student_name: str | None, days: int, window_days: int, day: date) -> Notice:
    """R-52: a run of absences, for the class teacher and the parents."""
    return Notice(
        title=f"Внимание: пропуски {days} {_days(days)} за {window_days} {_days(window_days)} (по {_day(day)})",
        body=_about(student_name, f"пропуски уроков в {days} {_days(days)} из последних {window_days} по {_day(day)}."),
    )


def _days(count: int) -> str:
    if count % 10 == 1 and count % 100 != 11:
        return "день"
    if 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
        return "дня"
    return "дней"


def digest(day: date, notices: list[Notice]) -> Notice:
    """The daily digest (R-51): the day's notices in one letter, oldest first."""
    items = "\n\n".join(f"• {n.title}\n{n.body}" for n in notices)
    count = len(notices)
    return Notice(title=f"Сводка уведомлений за {_day(day)}: {count} {_plural(count)}", body=items)


def _plural(count: int) -> str:
    if count % 10 == 1 and count % 100 != 11:
        return "уведомление"
    if 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
        return "уведомления"
    return "уведомлений"


#: R-4: what ended, as the person reads it.
STAFF_ROLE_TITLES = {
    "school_admin": "администратор электронного журнала",
    "director": "директор",
    "deputy": "заместитель директора",
    "teacher": "учитель",
    "class_teacher": "классный руководитель",
    "secretary": "секретарь",
    "psychologist": "педагог-психолог",
}


def access_ended(what: str, ended_on: date, reason: str) -> Notice:
    """R-4: the notice of an ended role, with its reason; the access it gave has ended."""
    return Notice(
        title=f"Прекращено: {what}",
        body=f"С {_day(ended_on)} прекращено: {what}. Причина: {reason}. Доступ, который это давало, закрыт.",
    )


def guardianship_ended(student_name: str | None, ended_on: date, reason: str) -> Notice:
    return access_ended(f"представительство {student_name or 'обучающегося'}", ended_on, reason)


def staff_role_ended(role: str, ended_on: date, reason: str) -> Notice:
    return access_ended(f"роль «{STAFF_ROLE_TITLES.get(role, role)}»", ended_on, reason)


def assignment_ended(subject: str, class_name: str, ended_on: date, reason: str) -> Notice:
    return access_ended(f"преподавание «{subject}» в {class_name}", ended_on, reason)


def class_teacher_removed(class_name: str, ended_on: date, reason: str) -> Notice:
    return access_ended(f"классное руководство {class_name}", ended_on, reason)


def test_message() -> Notice:
    return Notice(
        title="Проверка уведомлений",
        body="Это пробное сообщение электронного журнала: уведомления по этому каналу доходят.",
    )


def consent_withdrawn(person_name: str | None, purpose_title: str) -> Notice:
    """R-5: the school administrator learns of a withdrawn consent, whose processing has already stopped."""
    who = person_name or "человек школы"
    return Notice(
        title=f"Отозвано согласие: {who}",
        body=(
            f"{who}: отозвано согласие на обработку персональных данных — «{purpose_title}». "
            "Эта обработка уже остановлена; отзыв записан в карточке человека (раздел «Согласия»)."
        ),
    )
