/* The teacher's class journal: a course's lessons of four weeks with marks, absences and averages. */

import { api, retrying } from "./api.js";
import { ABSENCE_CODES, absenceLabel } from "./absences.js";
import {
  $, el, clear, options, show, activateChip, isoDate, parseDate, today, addDays, weekday, humanDate, dayMonth,
  number, decimal
} from "./dom.js";

const FIVE_POINT = ["5", "4", "3", "2", "1"];
const PASS_FAIL = [["зач", "зач"], ["незач", "незач"]];
/** The journal shows four weeks at a time. */
const JOURNAL_DAYS = 28;

/** The chosen course's journal for the shown period, and the lesson open for entry ("new" while one is being written). */
const journal = {
  course: null, start: null, end: null,
  students: [], workTypes: [], workTypeByCode: {},
  lessons: [], absences: {}, averages: {},
  open: null, rowStatus: {}, loading: 0
};

function gradebook(path) { return "/gradebook/schools/" + journal.course.school_id + path; }

function attendance(path) { return "/attendance/schools/" + journal.course.school_id + path; }

function studentName(student) { return student.name || "(данные ещё загружаются)"; }

function workTypeTitle(code) { const kind = journal.workTypeByCode[code]; return kind ? kind.title : code; }

function markTitle(mark) { return workTypeTitle(mark.work_type) + ", вес " + number(mark.weight); }

function marksOf(lesson, studentId) { return (lesson.marks || []).filter((m) => m.student_id === studentId); }

function absenceOf(lesson, studentId) {
  return (journal.absences[lesson.id] || []).find((a) => a.student_id === studentId) || null;
}

function isOpen(lesson) { return journal.open && journal.open !== "new" && journal.open.id === lesson.id; }

/** The values a mark of this work type may take: зач/незач or the five-point scale. */
function markValues(code) {
  const kind = journal.workTypeByCode[code];
  return kind && kind.pass_fail ? PASS_FAIL : FIVE_POINT.map((v) => [v, v]);
}

function absenceChoices() { return ABSENCE_CODES.map((code) => [code, absenceLabel(code)]); }

export function startJournal(section) {
  loadCourses(section.getAttribute("data-schools").split(","));
  $("#new-lesson").addEventListener("click", openNewLesson);
  $("#earlier").addEventListener("click", () => shiftPeriod(-JOURNAL_DAYS));
  $("#later").addEventListener("click", () => shiftPeriod(JOURNAL_DAYS));
  $("#close-lesson").addEventListener("click", closeLesson);
  $("#lesson-form").addEventListener("submit", saveLesson);
}

/** The teacher's courses in all their schools as chips; a lone course opens at once. */
async function loadCourses(schools) {
  const box = $("#courses");
  try {
    const lists = await Promise.all(schools.map(async (schoolId) => {
      const courses = await api("GET", "/gradebook/schools/" + schoolId + "/courses");
      return courses.map((course) => ({ ...course, school_id: schoolId }));
    }));
    const courses = lists.flat();
    clear(box);
    if (!courses.length) {
      box.appendChild(el("p", { "class": "hint", text: "Нагрузка пока не назначена. Обратитесь к завучу." }));
      return;
    }
    courses.forEach((course) => {
      box.appendChild(el("button", {
        type: "button", "class": "chip", text: course.class_name + " · " + course.subject_name,
        onclick: (event) => { activateChip(event.currentTarget); openCourse(course); }
      }));
    });
    if (courses.length === 1) box.firstChild.click();
  } catch (error) {
    show(box, error.message, "error");
  }
}

async function openCourse(course) {
  journal.course = course;
  journal.open = null;
  journal.lessons = [];
  journal.end = today();
  journal.start = addDays(journal.end, 1 - JOURNAL_DAYS);
  $("#course").hidden = false;
  $("#lesson-panel").hidden = true;
  $("#course-title").textContent = course.class_name + " · " + course.subject_name;
  clear($("#journal"));
  show($("#journal-note"), "", "");
  show($("#journal-status"), "Загрузка…", "");
  try {
    const [students, workTypes] = await Promise.all([
      api("GET", gradebook("/courses/" + course.id + "/students")), api("GET", gradebook("/work-types"))
    ]);
    if (journal.course !== course) return;
    journal.students = students;
    journal.workTypes = workTypes;
    journal.workTypeByCode = Object.fromEntries(workTypes.map((w) => [w.code, w]));
    await loadJournal();
  } catch (error) {
    show($("#journal-status"), error.message, "error");
  }
}

function shiftPeriod(days) {
  journal.start = addDays(journal.start, days);
  journal.end = addDays(journal.end, days);
  loadJournal();
}

/** Attendance hears of a new lesson by an event; until then it knows no absences at it. */
async function lessonAbsences(lessonId) {
  try {
    return await api("GET", attendance("/lessons/" + lessonId + "/absences"));
  } catch (error) {
    if (error.status === 404) return [];
    throw error;
  }
}

/** Lessons with marks, absences and averages of the period, then the grid and the open lesson drawn anew. */
async function loadJournal() {
  const token = ++journal.loading;
  const course = journal.course;
  const period = "?start=" + isoDate(journal.start) + "&end=" + isoDate(journal.end);
  $("#period-title").textContent = humanDate(journal.start) + " — " + humanDate(journal.end);
  try {
    const [lessons, averages] = await Promise.all([
      api("GET", gradebook("/courses/" + course.id + "/lessons" + period)),
      api("GET", gradebook("/courses/" + course.id + "/averages" + period))
    ]);
    const absences = await Promise.all(lessons.map((lesson) => lessonAbsences(lesson.id)));
    // A newer load (another period or course) has started meanwhile: its answer wins.
    if (token !== journal.loading) return;
    journal.lessons = lessons;
    journal.averages = Object.fromEntries(averages.map((a) => [a.student_id, a]));
    journal.absences = Object.fromEntries(lessons.map((lesson, i) => [lesson.id, absences[i]]));
    if (journal.open && journal.open !== "new") journal.open = lessons.find(isOpen) || journal.open;
    show($("#journal-status"), journal.lessons.length ? "" :
      "За эти четыре недели уроков нет. Нажмите «Записать урок», чтобы добавить урок.", "hint");
    renderJournal();
    renderClassList();
  } catch (error) {
    if (token === journal.loading) show($("#journal-status"), error.message, "error");
  }
}

function renderJournal() {
  const table = clear($("#journal"));
  table.appendChild(el("thead", {}, [journalHead()]));
  const body = el("tbody");
  if (!journal.students.length) {
    body.appendChild(el("tr", {}, [el("td", {
      colspan: String(journal.lessons.length + 3), "class": "hint", text: "В классе пока нет обучающихся."
    })]));
  }
  journal.students.forEach((student) => body.appendChild(journalRow(student)));
  table.appendChild(body);
}

function journalHead() {
  const head = el("tr", {}, [el("th", { "class": "name-col", scope: "col", text: "Обучающийся" })]);
  journal.lessons.forEach((lesson) => {
    const date = parseDate(lesson.date);
    head.appendChild(el("th", { scope: "col", "class": "lesson-col" + (isOpen(lesson) ? " current" : "") }, [
      el("button", {
        type: "button", "class": "col-head", title: lesson.topic, text: dayMonth(date),
        "aria-label": "Урок " + humanDate(date) + ": " + lesson.topic,
        onclick: () => openLesson(lesson)
      })
    ]));
  });
  head.appendChild(el("th", { scope: "col", "class": "avg", title: "Средний балл за период", text: "Средн." }));
  head.appendChild(el("th", {
    scope: "col", "class": "avg", title: "Средневзвешенный балл: отметки с весами видов работ", text: "Взвеш."
  }));
  return head;
}

function journalRow(student) {
  const row = el("tr", {}, [el("th", { scope: "row", "class": "name-col", text: studentName(student) })]);
  journal.lessons.forEach((lesson) => row.appendChild(journalCell(lesson, student)));
  const averages = journal.averages[student.student_id] || {};
  row.appendChild(el("td", { "class": "avg", text: decimal(averages.average) }));
  row.appendChild(el("td", { "class": "avg", text: decimal(averages.weighted_average) }));
  return row;
}

function journalCell(lesson, student) {
  const cell = el("td", {
    "class": "cell" + (isOpen(lesson) ? " current" : ""),
    onclick: () => openLesson(lesson, student.student_id)
  });
  marksOf(lesson, student.student_id).forEach((mark) => {
    cell.appendChild(el("button", {
      type: "button", "class": "mark m" + mark.value, title: markTitle(mark), text: mark.value,
      onclick: (event) => { event.stopPropagation(); editMark(mark, student, lesson); }
    }));
  });
  const absence = absenceOf(lesson, student.student_id);
  if (absence) {
    cell.appendChild(el("button", {
      type: "button", "class": "absence", title: absenceLabel(absence.code), text: absence.code,
      onclick: (event) => { event.stopPropagation(); editAbsence(absence, student, lesson); }
    }));
  }
  return cell;
}

function openLesson(lesson, studentId) {
  const date = parseDate(lesson.date);
  journal.open = lesson;
  journal.rowStatus = {};
  const panel = $("#lesson-panel");
  panel.hidden = false;
  $("#lesson-title").textContent = "Урок " + humanDate(date) + ", " + weekday(date).toLowerCase();
  const form = $("#lesson-form");
  form.elements.date.value = lesson.date;
  form.elements.date.disabled = true;
  form.elements.topic.value = lesson.topic;
  form.elements.homework.value = lesson.homework || "";
  $("#lesson-submit").textContent = "Сохранить тему и задание";
  show($("#lesson-status"), "", "");
  $("#class-list").hidden = false;
  renderJournal();
  renderClassList();
  const row = studentId && $('#class-list tr[data-student="' + studentId + '"]');
  if (row) {
    row.scrollIntoView({ block: "center", behavior: "smooth" });
    row.querySelector("select").focus({ preventScroll: true });
  } else {
    panel.scrollIntoView({ block: "start", behavior: "smooth" });
  }
}

function openNewLesson() {
  journal.open = "new";
  const panel = $("#lesson-panel");
  panel.hidden = false;
  $("#lesson-title").textContent = "Новый урок";
  const form = $("#lesson-form");
  form.reset();
  form.elements.date.disabled = false;
  form.elements.date.value = isoDate(today());
  $("#lesson-submit").textContent = "Записать урок";
  show($("#lesson-status"), "Укажите дату и тему, затем выставите отметки и пропуски.", "");
  $("#class-list").hidden = true;
  renderJournal();
  panel.scrollIntoView({ block: "start", behavior: "smooth" });
  form.elements.topic.focus({ preventScroll: true });
}

function closeLesson() {
  journal.open = null;
  $("#lesson-panel").hidden = true;
  renderJournal();
}

/** A new lesson (a new column) or the open lesson's topic and homework. */
async function saveLesson(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const status = $("#lesson-status");
  const isNew = journal.open === "new";
  const body = { topic: form.elements.topic.value.trim(), homework: form.elements.homework.value.trim() || null };
  if (isNew) {
    body.course_id = journal.course.id;
    body.date = form.elements.date.value;
  }
  const request = isNew ? api("POST", gradebook("/lessons"), body)
    : api("PATCH", gradebook("/lessons/" + journal.open.id), body);
  show(status, "Сохраняю…", "");
  try {
    const saved = await request;
    const date = parseDate(saved.date);
    if (date < journal.start || date > journal.end) {
      journal.end = date > today() ? date : today();
      journal.start = addDays(journal.end, 1 - JOURNAL_DAYS);
    }
    saved.marks = isNew ? [] : journal.open.marks;
    if (isNew) {
      openLesson(saved);
      show(status, "Урок " + humanDate(date) + " записан. Выставьте отметки и пропуски.", "ok");
    } else {
      journal.open = saved;
      show(status, "Тема и домашнее задание сохранены.", "ok");
    }
    await loadJournal();
  } catch (error) {
    show(status, error.message, "error");
  }
}

/** What happened to a student's mark or absence: beside the student in the open lesson, else above the grid. */
function say(lesson, student, text, kind) {
  if (isOpen(lesson)) {
    journal.rowStatus[student.student_id] = [text, kind];
    const note = $('#class-list tr[data-note="' + student.student_id + '"]');
    if (note) {
      note.hidden = !text;
      show(note.querySelector(".status"), text, kind);
    }
  } else {
    show($("#journal-note"), studentName(student) + ", " + dayMonth(parseDate(lesson.date)) + ": " + text, kind);
  }
}

/** Saves a change to a student's entry, telling how it went; the journal is reloaded, or `undo` puts the picker back. */
async function saveEntry(lesson, student, save, undo) {
  say(lesson, student, "Сохраняю…", "");
  try {
    say(lesson, student, await save(), "ok");
    await loadJournal();
  } catch (error) {
    if (undo) undo();
    say(lesson, student, error.message, "error");
  }
}

/** The open lesson's class list: each student's marks, a new mark by work type and the absence. */
function renderClassList() {
  const lesson = journal.open;
  if (!lesson || lesson === "new") return;
  const tbody = clear($("#class-list tbody"));
  if (!journal.students.length) {
    tbody.appendChild(el("tr", {}, [el("td", { colspan: "5", "class": "hint", text: "В классе пока нет обучающихся." })]));
    return;
  }
  journal.students.forEach((student) => {
    tbody.appendChild(classListRow(lesson, student));
    tbody.appendChild(classListNote(student));
  });
}

function classListRow(lesson, student) {
  const marks = el("span", { "class": "marks" });
  marksOf(lesson, student.student_id).forEach((mark) => {
    marks.appendChild(el("button", {
      type: "button", "class": "mark m" + mark.value, title: markTitle(mark) + ". Нажмите, чтобы исправить",
      text: mark.value, onclick: () => editMark(mark, student, lesson)
    }));
  });
  const [workType, value] = newMarkPickers(lesson, student);
  return el("tr", { "data-student": student.student_id }, [
    el("td", { "class": "student", text: studentName(student) }),
    el("td", {}, [marks]), el("td", {}, [workType]), el("td", {}, [value]),
    el("td", {}, [absencePicker(lesson, student)])
  ]);
}

/** The work type and the value of a new mark; choosing the value saves the mark. */
function newMarkPickers(lesson, student) {
  const workType = options(el("select", { "aria-label": "Вид работы" }), journal.workTypes.map((w) => [w.code, w.title]));
  const value = el("select", { "aria-label": "Новая отметка" });
  const fillValues = () => options(clear(value), [["", "Отметка"]].concat(markValues(workType.value)));
  fillValues();
  workType.addEventListener("change", fillValues);
  value.addEventListener("change", () => {
    if (!value.value) return;
    const body = { student_id: student.student_id, value: value.value, work_type: workType.value };
    value.value = "";
    saveEntry(lesson, student, async () => {
      const mark = await api("POST", gradebook("/lessons/" + lesson.id + "/marks"), body);
      return "Отметка " + mark.value + " («" + workTypeTitle(mark.work_type) + "») сохранена";
    });
  });
  return [workType, value];
}

function absencePicker(lesson, student) {
  const absence = absenceOf(lesson, student.student_id);
  const select = options(el("select", { "aria-label": "Пропуск" }), [["", "Без пропуска"]].concat(absenceChoices()));
  select.value = absence ? absence.code : "";
  select.addEventListener("change", () => {
    saveEntry(lesson, student, () => changeAbsence(lesson, absence, student, select.value),
      () => { select.value = absence ? absence.code : ""; });
  });
  return select;
}

function classListNote(student) {
  const [text, kind] = journal.rowStatus[student.student_id] || ["", ""];
  const note = el("tr", { "class": "row-note", "data-note": student.student_id }, [
    el("td", { colspan: "5" }, [el("span", { "class": "status " + kind, text })])
  ]);
  note.hidden = !text;
  return note;
}

/** Records, corrects or withdraws a student's absence at a lesson; resolves to what was done. */
async function changeAbsence(lesson, absence, student, code) {
  if (absence && !code) {
    await api("DELETE", attendance("/absences/" + absence.id));
    return "Отметка о пропуске снята";
  }
  if (absence) {
    const saved = await api("PATCH", attendance("/absences/" + absence.id), { reason: code });
    return "Причина исправлена: " + absenceLabel(saved.code);
  }
  const body = { student_id: student.student_id, reason: code };
  // Attendance learns of a new lesson by an event; until then it answers 409, so try again shortly.
  const saved = await retrying(
    () => api("POST", attendance("/lessons/" + lesson.id + "/absences"), body),
    (error) => error.status === 409 && /ещё не получен/.test(error.message), 6, 500);
  return "Пропуск «" + saved.code + "» сохранён";
}

/** A small dialog offering the choices; the chosen one is saved, a service's refusal is shown inside it. */
function editor(title, notes, choices, current, lesson, student, save) {
  const dialog = $("#editor");
  const status = el("p", { "class": "status", "aria-live": "polite" });
  const buttons = el("div", { "class": "choices" });
  choices.forEach(([value, label, kind]) => {
    buttons.appendChild(el("button", {
      type: "button", "class": "choice " + (kind || "") + (value === current ? " active" : ""), text: label,
      onclick: async () => {
        if (value === current) { dialog.close(); return; }
        show(status, "Сохраняю…", "");
        try {
          const text = await save(value);
          dialog.close();
          say(lesson, student, text, "ok");
          await loadJournal();
        } catch (error) {
          show(status, error.message, "error");
        }
      }
    }));
  });
  clear(dialog).appendChild(el("h3", { id: "editor-title", text: title }));
  dialog.appendChild(el("p", { "class": "hint" }, notes.map((line) => el("span", { "class": "line", text: line }))));
  dialog.appendChild(buttons);
  dialog.appendChild(status);
  dialog.appendChild(el("div", { "class": "editor-foot" }, [
    el("button", { type: "button", "class": "button quiet", text: "Отмена", onclick: () => dialog.close() })
  ]));
  dialog.showModal();
}

function editMark(mark, student, lesson) {
  const choices = markValues(mark.work_type).map(([value, label]) => [value, label, "mark m" + value]);
  editor("Исправить отметку", [studentName(student), humanDate(parseDate(lesson.date)) + " · " + markTitle(mark)],
    choices, mark.value, lesson, student, async (value) => {
      const saved = await api("PATCH", gradebook("/marks/" + mark.id), { value });
      return "Отметка исправлена на " + saved.value;
    });
}

function editAbsence(absence, student, lesson) {
  const choices = absenceChoices().concat([["", "Снять отметку о пропуске", "remove"]]);
  editor("Исправить пропуск", [studentName(student), "Урок " + humanDate(parseDate(lesson.date))],
    choices, absence.code, lesson, student, (code) => changeAbsence(lesson, absence, student, code));
}
