from datetime import date

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
