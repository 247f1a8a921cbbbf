from datetime import date

import pytest

from notifications.domain import texts

DAY = date(2026, 11, 24)


def test_a_new_mark_names_the_value_subject_work_type_and_date():
    notice = texts.mark_posted("Абрамова Анна", "Математика", "5", "test", "Контрольная работа", 2.0, DAY)
    assert notice.title == "Новая отметка: 5 — Математика, контрольная работа, 24.11.2026"
    assert notice.body == (
        "Абрамова Анна: отметка 5 по предмету «Математика» за урок 24.11.2026 (контрольная работа, вес 2)."
    )


def test_a_fractional_weight_is_written_with_a_comma_and_a_zero_weight_is_left_out():
    assert "вес 1,5" in texts.mark_posted(None, "Физика", "4", "lab", "Лабораторная работа", 1.5, DAY).body
    credit = texts.mark_posted(None, "Физкультура", "зач", "credit", "Зачёт", 0.0, DAY)
    assert credit.title == "Новая отметка: зач — Физкультура, зачёт, 24.11.2026"
    assert "вес" not in credit.body


def test_without_the_students_name_the_body_starts_with_a_capital():
    notice = texts.mark_posted(None, "Математика", "3", "answer", "Ответ на уроке", 1.0, DAY)
    assert notice.body.startswith("Отметка 3 по предмету")


def test_the_work_type_is_named_by_the_events_title_in_lower_case():
    # A school's own вид работы: its name comes with the event, there is no table to look it up in.
    notice = texts.mark_posted(None, "Химия", "4", "olympiad", "Олимпиада", 1.0, DAY)
    assert notice.title == "Новая отметка: 4 — Химия, олимпиада, 24.11.2026"


def test_an_event_without_the_title_shows_the_work_type_by_its_code():
    assert texts.mark_posted(None, "Химия", "4", "test", "", 2.0, DAY).title.endswith("— Химия, test, 24.11.2026")
    changed = texts.mark_changed(None, "Химия", "3", "4", "test", "", DAY)
    assert changed.title == "Отметка исправлена: 3 → 4 — Химия, test, 24.11.2026"


def test_a_changed_mark_shows_the_old_and_the_new_value():
    notice = texts.mark_changed("Яковлев Борис", "Математика", "3", "4", "answer", "Ответ на уроке", DAY)
    assert notice.title == "Отметка исправлена: 3 → 4 — Математика, ответ на уроке, 24.11.2026"
    assert notice.body.endswith("исправлена с 3 на 4.")


def test_an_absence_names_its_code_and_reason():
    notice = texts.absence_recorded("Абрамова Анна", "Математика", "unexcused", DAY)
    assert notice.title == "Пропуск урока: Математика, 24.11.2026 — Н (без уважительной причины)"
    assert notice.body == "Абрамова Анна: пропуск урока «Математика» 24.11.2026 — Н (без уважительной причины)."
    assert texts.absence_recorded(None, "Химия", "ill", DAY).title.endswith("— Б (по болезни)")


def test_a_late_is_not_called_an_absence():
    notice = texts.absence_recorded(None, "Математика", "late", DAY)
    assert notice.title == "Опоздание на урок: Математика, 24.11.2026 — О (опоздание)"
    assert notice.body == "Опоздание на урок «Математика» 24.11.2026."


def test_a_corrected_reason_shows_both_reasons_and_a_withdrawal_says_it_was_a_mistake():
    corrected = texts.absence_corrected("Абрамова Анна", "Математика", "unexcused", "ill", DAY)
    assert corrected.title == "Причина пропуска изменена: Математика, 24.11.2026 — Б (по болезни)"
    assert "было Н (без уважительной причины), стало Б (по болезни)" in corrected.body
    withdrawn = texts.absence_withdrawn("Абрамова Анна", "Математика", "unexcused", DAY)
    assert withdrawn.title == "Отметка о пропуске снята: Математика, 24.11.2026"
    assert withdrawn.body == "Абрамова Анна: пропуск урока «Математика» 24.11.2026 отмечен по ошибке и снят."
    late = texts.absence_withdrawn(None, "Математика", "late", DAY)
    assert late.title == "Отметка об опоздании снята: Математика, 24.11.2026"
    assert late.body == "Опоздание на урок «Математика» 24.11.2026 отмечено по ошибке и снято."


def test_corrections_tell_the_family_what_changed_and_why():
    deleted = texts.mark_deleted("Яковлев Борис", "Математика", "2", "test", "Контрольная работа", DAY, "ошибка ввода")
    assert deleted.title == "Отметка удалена: 2 — Математика, контрольная работа, 24.11.2026"
    assert deleted.body == (
        "Яковлев Борис: отметка 2 по предмету «Математика» за урок 24.11.2026 (контрольная работа) удалена. "
        "Причина: ошибка ввода."
    )
    retyped = texts.mark_retyped(None, "Математика", "4", "answer", "test", "Контрольная работа", DAY)
    assert retyped.title == "Вид работы исправлен: 4 — Математика, контрольная работа, 24.11.2026"
    assert retyped.body.endswith("теперь учитывается как «контрольная работа» (было: answer).")
    moved = texts.mark_moved(None, "Химия", "5", "answer", "Ответ на уроке", DAY)
    assert moved.title == "Отметка перенесена: 5 — Химия, ответ на уроке, урок 24.11.2026"
    assert moved.body == "Урок «Химия» с отметкой 5 (ответ на уроке) перенесён на 24.11.2026."


def test_an_absence_put_on_another_lesson_names_the_old_date_when_it_changed():
    moved = texts.absence_moved("Абрамова Анна", "Математика", "ill", date(2026, 11, 23), DAY)
    assert moved.title == "Пропуск перенесён на другой урок: Математика, 24.11.2026"
    assert moved.body == "Абрамова Анна: пропуск теперь отмечен на уроке «Математика» 24.11.2026 (было: 23.11.2026)."
    late = texts.absence_moved(None, "Математика", "late", None, DAY)
    assert late.title == "Опоздание перенесено на другой урок: Математика, 24.11.2026"
    assert late.body == "Опоздание теперь отмечено на уроке «Математика» 24.11.2026."


def test_a_weight_of_one_is_named_and_every_correction_names_the_student():
    assert texts.mark_posted(None, "Химия", "4", "answer", "Ответ на уроке", 1.0, DAY).body.endswith(
        "(ответ на уроке, вес 1)."
    )
    name = "Абрамова Анна: "
    assert texts.mark_changed("Абрамова Анна", "Химия", "3", "4", "test", "", DAY).body == (
        name + "отметка по предмету «Химия» за урок 24.11.2026 (test) исправлена с 3 на 4."
    )
    assert texts.mark_retyped("Абрамова Анна", "Химия", "4", "answer", "test", "", DAY).body == (
        name + "отметка 4 по предмету «Химия» за урок 24.11.2026 теперь учитывается как «test» (было: answer)."
    )
    assert texts.mark_moved("Абрамова Анна", "Химия", "5", "test", "", DAY).body == (
        name + "урок «Химия» с отметкой 5 (test) перенесён на 24.11.2026."
    )
    assert texts.mark_deleted("Абрамова Анна", "Химия", "2", "test", "", DAY, "ошибка").body == (
        name + "отметка 2 по предмету «Химия» за урок 24.11.2026 (test) удалена. Причина: ошибка."
    )
    assert texts.absence_recorded("Абрамова Анна", "Химия", "late", DAY).body == (
        name + "опоздание на урок «Химия» 24.11.2026."
    )
    assert texts.absence_corrected("Абрамова Анна", "Химия", "ill", "excused", DAY).body == (
        name + "причина пропуска урока «Химия» 24.11.2026 изменена: "
        "было Б (по болезни), стало У (по уважительной причине)."
    )
    assert texts.absence_withdrawn("Абрамова Анна", "Химия", "late", DAY).body == (
        name + "опоздание на урок «Химия» 24.11.2026 отмечено по ошибке и снято."
    )


def test_homework_and_announcements_as_the_family_reads_them():
    homework = texts.homework("Химия", DAY, "§ 12, задачи 1–3")
    assert homework == texts.Notice(
        "Домашнее задание: Химия, урок 24.11.2026", "«Химия», урок 24.11.2026: § 12, задачи 1–3"
    )
    one_day = texts.announcement("Собрание", "В 18:00 в актовом зале.", DAY, DAY)
    assert one_day == texts.Notice("Объявление: Собрание", "В 18:00 в актовом зале.\n\n(24.11.2026)")
    week = texts.announcement("Каникулы", "Школа закрыта.", DAY, date(2026, 11, 30))
    assert week.body == "Школа закрыта.\n\n(с 24.11.2026 по 30.11.2026)"


def test_the_alerts_name_the_mark_and_the_run_of_absences():
    failing = texts.failing_mark_alert("Абрамова Анна", "Химия", "2", DAY)
    assert failing == texts.Notice(
        "Внимание: неудовлетворительная отметка 2 — Химия, 24.11.2026",
        "Абрамова Анна: получена отметка 2 по предмету «Химия» за урок 24.11.2026.",
    )
    run = texts.absence_run_alert("Абрамова Анна", 3, 7, DAY)
    assert run == texts.Notice(
        "Внимание: пропуски 3 дня за 7 дней (по 24.11.2026)",
        "Абрамова Анна: пропуски уроков в 3 дня из последних 7 по 24.11.2026.",
    )


@pytest.mark.parametrize(
    ("count", "days", "notices"),
    [
        (1, "день", "уведомление"),
        (2, "дня", "уведомления"),
        (4, "дня", "уведомления"),
        (5, "дней", "уведомлений"),
        (11, "дней", "уведомлений"),
        (12, "дней", "уведомлений"),
        (14, "дней", "уведомлений"),
        (20, "дней", "уведомлений"),
        (21, "день", "уведомление"),
        (22, "дня", "уведомления"),
        (111, "дней", "уведомлений"),
        (112, "дней", "уведомлений"),
        (101, "день", "уведомление"),
        (102, "дня", "уведомления"),
    ],
)
def test_counts_agree_with_their_noun(count, days, notices):
    assert texts.absence_run_alert(None, count, count, DAY).title.startswith(f"Внимание: пропуски {count} {days} за")
    assert texts.digest(DAY, [texts.test_message()] * count).title == (
        f"Сводка уведомлений за 24.11.2026: {count} {notices}"
    )


def test_the_digest_lists_the_days_notices_in_order():
    first, second = texts.Notice("Первое", "Текст первого."), texts.Notice("Второе", "Текст второго.")
    assert texts.digest(DAY, [first, second]).body == "• Первое\nТекст первого.\n\n• Второе\nТекст второго."


def test_an_ended_role_is_named_with_its_date_and_reason():
    ended = texts.staff_role_ended("deputy", DAY, "увольнение")
    assert ended == texts.Notice(
        "Прекращено: роль «заместитель директора»",
        "С 24.11.2026 прекращено: роль «заместитель директора». Причина: увольнение. "
        "Доступ, который это давало, закрыт.",
    )
    assert texts.staff_role_ended("librarian", DAY, "—").title == "Прекращено: роль «librarian»"
    assert texts.guardianship_ended("Абрамова Анна", DAY, "решение суда").title == (
        "Прекращено: представительство Абрамова Анна"
    )
    guardianship = texts.guardianship_ended(None, DAY, "решение суда")
    assert guardianship.title == "Прекращено: представительство обучающегося"
    assert "Причина: решение суда." in guardianship.body
    assignment = texts.assignment_ended("Химия", "5А", DAY, "замена")
    assert assignment.title == "Прекращено: преподавание «Химия» в 5А"
    assert "Причина: замена." in assignment.body
    class_teacher = texts.class_teacher_removed("5А", DAY, "перевод")
    assert class_teacher.title == "Прекращено: классное руководство 5А"
    assert "Причина: перевод." in class_teacher.body


def test_the_test_message_and_a_withdrawn_consent():
    assert texts.test_message() == texts.Notice(
        "Проверка уведомлений", "Это пробное сообщение электронного журнала: уведомления по этому каналу доходят."
    )
    withdrawn = texts.consent_withdrawn("Абрамова Анна", "Уведомления по SMS")
    assert withdrawn == texts.Notice(
        "Отозвано согласие: Абрамова Анна",
        "Абрамова Анна: отозвано согласие на обработку персональных данных — «Уведомления по SMS». "
        "Эта обработка уже остановлена; отзыв записан в карточке человека (раздел «Согласия»).",
    )
    assert texts.consent_withdrawn(None, "Уведомления по SMS").title == "Отозвано согласие: человек школы"
