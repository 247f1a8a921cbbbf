/* The teacher's class journal: a course's lessons of four weeks as a grid the teacher fills from the keyboard.

   In a cell: a digit enters a mark of the column's work type, Н/Б/У/О an absence (on either keyboard layout),
   Backspace withdraws the absence; the cursor then moves down the column, so a column of marks takes one key per
   pupil. Arrows, Enter and Tab move; Space (or a click, or a tap) opens the cell's choices. Each entry is shown at
   once and saved in the background — a column's marks in one request — and a refusal takes it back and says why
   beside the cell. Backspace on a mark deletes it, asking why; a saved column may be undone at once, and a
   mark moved to another work type from its cell's choices (corrections.js). A pupil who came from another school
   this year is marked beside their name; what they brought in the subject is shown under the grid. */

import { api, retrying } from "./api.js";
import { ABSENCE_CODES, absenceLabel } from "./absences.js";
import { UNDO_REASON, askReason, changeWorkType, deleteMark, markCorrections, offerUndo } from "./corrections.js";
import {
  $, el, clear, options, show, activateChip, isoDate, parseDate, today, addDays, weekday, humanDate, dayMonth,
  russianDate, number, decimal, plural, busy
} from "./dom.js";
import { openPeriods, periodHeadCells, periodRowCells, refreshPeriod, startPeriodMarks } from "./periodmarks.js";
import { fromSchool, origin, subjectCopy } from "./transcripts.js";

const FIVE_POINT = ["5", "4", "3", "2", "1"];
const PASS_FAIL = [["зач", "зач"], ["незач", "незач"]];
/** The journal shows four weeks at a time. */
const JOURNAL_DAYS = 28;
/** The physical keys of Н, Б, У and О on the Russian layout, so a teacher on the Latin layout need not switch. */
const ABSENCE_KEYS = { KeyY: "Н", Comma: "Б", KeyE: "У", KeyJ: "О" };

/** The chosen course's journal for the shown period, and the lesson open in the panel ("new" while one is written). */
const journal = {
  course: null, start: null, end: null,
  students: [], workTypes: [], workTypeByCode: {},
  lessons: [], absences: {}, averages: {},
  /** the pupils who came from another school this year, with what they brought in the subject, by pupil. */
  transfers: {},
  /** The work type a lesson's column enters, by lesson id (R-22: one kind of work per column). */
  columnWorkType: {},
  /** The cell the keyboard is on: indices into students and lessons. */
  cursor: { row: 0, col: 0 },
  /** Lessons written in this visit: attendance may not have heard of them yet, and they have no absences. */
  fresh: new Set(),
  open: null, loading: 0,
  /** Who is reading: a course is theirs to fill only if they teach it; the rest they read. */
  personId: null
};

function editable() { return journal.course && journal.course.teacher_id === journal.personId; }

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

function lessonName(lesson) { return "урок " + russianDate(lesson.date); }

/** The work type a new mark in this lesson's column gets: the chosen one, else the school's first. */
function columnWorkType(lesson) {
  return journal.columnWorkType[lesson.id] || (journal.workTypes[0] && journal.workTypes[0].code) || "";
}

/** The values a mark of this work type may take: зач/незач or the five-point scale. */
function markValues(code) {
  const kind = journal.workTypeByCode[code];
  return kind && kind.pass_fail ? PASS_FAIL : FIVE_POINT.map((v) => [v, v]);
}

function absenceChoices() { return ABSENCE_CODES.map((code) => [code, absenceLabel(code)]); }

export function startJournal(section, me) {
  journal.personId = me.person_id;
  startPeriodMarks(me);
  loadCourses(JSON.parse(section.getAttribute("data-schools")));
  $("#new-lesson").addEventListener("click", openNewLesson);
  $("#earlier").addEventListener("click", () => shiftPeriod(-JOURNAL_DAYS));
  $("#later").addEventListener("click", () => shiftPeriod(JOURNAL_DAYS));
  $("#close-lesson").addEventListener("click", closeLesson);
  $("#lesson-form").addEventListener("submit", saveLesson);
  $("#column-work-type").addEventListener("change", (event) => {
    const lesson = journal.lessons[journal.cursor.col];
    if (!lesson) return;
    journal.columnWorkType[lesson.id] = event.currentTarget.value;
    renderColumnHead(lesson);
  });
  document.addEventListener("visibilitychange", () => { if (document.hidden) saveAllColumns(); });
  const grid = $("#journal");
  grid.addEventListener("keydown", onGridKey);
  grid.addEventListener("focusin", (event) => {
    const cell = event.target.closest("td.cell");
    if (cell) placeCursor(+cell.dataset.row, +cell.dataset.col, false);
  });
  grid.addEventListener("click", (event) => {
    const cell = event.target.closest("td.cell");
    if (cell) { placeCursor(+cell.dataset.row, +cell.dataset.col, true); if (editable()) openCellChoices(); }
  });
}

/** The courses the reader may open in all their schools as chips, their own first; the first opens at once. */
async function loadCourses(schools) {
  const box = $("#courses");
  try {
    const lists = await Promise.all(schools.map(async (school) => {
      const courses = await api("GET", "/gradebook/schools/" + school.id + "/courses");
      return courses.map((course) => ({
        ...course, school_id: school.id, class_name: (schools.length > 1 ? school.name + " · " : "") + course.class_name
      }));
    }));
    const courses = lists.flat().sort((a, b) => (b.teacher_id === journal.personId) - (a.teacher_id === journal.personId));
    clear(box);
    if (!courses.length) {
      box.appendChild(el("p", { "class": "hint", text: "Нагрузка пока не назначена. Обратитесь к заместителю директора." }));
      return;
    }
    courses.forEach((course) => {
      box.appendChild(el("button", {
        type: "button", "class": "chip", text: course.class_name + " · " + course.subject_name,
        onclick: (event) => { activateChip(event.currentTarget); openCourse(course); }
      }));
    });
    activateChip(box.firstChild);
    openCourse(courses[0]);
  } catch (error) {
    show(box, error.message, "error");
  }
}

async function openCourse(course) {
  saveAllColumns();
  journal.course = course;
  journal.open = null;
  journal.lessons = [];
  journal.cursor = { row: 0, col: 0 };
  journal.end = today();
  journal.start = addDays(journal.end, 1 - JOURNAL_DAYS);
  $("#course").hidden = false;
  $("#lesson-panel").hidden = true;
  $("#new-lesson").hidden = !editable();
  $("#read-only").hidden = editable();
  $("#keys-help").hidden = !editable();
  $("#course-title").textContent = course.class_name + " · " + course.subject_name;
  clear($("#journal"));
  show($("#journal-note"), "", "");
  show($("#journal-status"), "Загрузка…", "");
  try {
    const [students, workTypes, transfers] = await Promise.all([
      api("GET", gradebook("/courses/" + course.id + "/students")), api("GET", gradebook("/work-types")),
      api("GET", gradebook("/courses/" + course.id + "/transcripts"))
    ]);
    if (journal.course !== course) return;
    journal.students = students;
    journal.transfers = Object.fromEntries(transfers.map((copy) => [copy.student_id, copy]));
    renderTransfers();
    journal.workTypes = workTypes;
    journal.workTypeByCode = Object.fromEntries(workTypes.map((w) => [w.code, w]));
    options(clear($("#column-work-type")), workTypes.map((w) => [w.code, w.title + " (вес " + number(w.weight) + ")"]));
    await loadJournal();
    openPeriods(course, editable());
  } catch (error) {
    show($("#journal-status"), error.message, "error");
  }
}

function shiftPeriod(days) {
  saveAllColumns();
  journal.start = addDays(journal.start, days);
  journal.end = addDays(journal.end, days);
  loadJournal();
}

/** Attendance hears of a new lesson by an event; until then it knows no absences at it. */
async function lessonAbsences(lessonId) {
  if (journal.fresh.has(lessonId)) return [];
  try {
    return await api("GET", attendance("/lessons/" + lessonId + "/absences"));
  } catch (error) {
    if (error.status === 404) return [];
    throw error;
  }
}

/** Lessons with marks, absences and averages of the period, then the grid drawn anew with the cursor kept. */
async function loadJournal() {
  const token = ++journal.loading;
  const course = journal.course;
  const period = "?start=" + isoDate(journal.start) + "&end=" + isoDate(journal.end);
  $("#period-title").textContent = russianDate(isoDate(journal.start)) + " — " + russianDate(isoDate(journal.end));
  try {
    const [lessons, averages] = await Promise.all([
      api("GET", gradebook("/courses/" + course.id + "/lessons" + period)),
      api("GET", gradebook("/courses/" + course.id + "/averages" + period))
    ]);
    const absences = await Promise.all(lessons.map((lesson) => lessonAbsences(lesson.id)));
    // A newer load (another period or course) has started meanwhile: its answer wins.
    if (token !== journal.loading) return;
    const kept = journal.lessons[journal.cursor.col];
    journal.lessons = lessons;
    journal.averages = Object.fromEntries(averages.map((a) => [a.student_id, a]));
    journal.absences = Object.fromEntries(lessons.map((lesson, i) => [lesson.id, absences[i]]));
    if (journal.open && journal.open !== "new") journal.open = lessons.find(isOpen) || journal.open;
    const col = kept ? lessons.findIndex((l) => l.id === kept.id) : -1;
    journal.cursor.col = col >= 0 ? col : Math.max(0, lessons.length - 1);
    show($("#journal-status"), journal.lessons.length ? "" :
      "За эти четыре недели уроков нет. Нажмите «Записать урок», чтобы добавить урок.", "hint");
    renderJournal();
  } catch (error) {
    if (token === journal.loading) show($("#journal-status"), error.message, "error");
  }
}

function renderJournal() {
  const table = clear($("#journal"));
  const hasGrid = journal.students.length && journal.lessons.length;
  table.setAttribute("role", hasGrid ? "grid" : "table");
  table.appendChild(el("caption", { "class": "visually-hidden", text: "Журнал: " + $("#course-title").textContent }));
  table.appendChild(el("thead", {}, [journalHead()]));
  const body = document.createDocumentFragment();
  if (!journal.students.length) {
    body.appendChild(el("tr", {}, [el("td", {
      colspan: String(journal.lessons.length + 5), "class": "hint", text: "В классе пока нет обучающихся."
    })]));
  }
  journal.students.forEach((student, row) => body.appendChild(journalRow(student, row)));
  table.appendChild(el("tbody", {}, [body]));
  $("#column-tools").hidden = !hasGrid || !editable();
  renderTopics();
  if (hasGrid) placeCursor(Math.min(journal.cursor.row, journal.students.length - 1), journal.cursor.col, false);
}

/** The lessons' topics and homework under the grid: the printed journal page carries them (screens show them on the dates). */
function renderTopics() {
  const list = clear($("#journal-topics"));
  journal.lessons.forEach((lesson) => list.appendChild(el("li", {}, [
    el("strong", { text: russianDate(lesson.date) + ". " }), document.createTextNode(lesson.topic),
    lesson.homework ? el("span", { "class": "homework", text: " Домашнее задание: " + lesson.homework }) : null
  ])));
}

function journalHead() {
  const head = el("tr", {}, [el("th", { "class": "name-col", scope: "col", text: "Обучающийся" })]);
  journal.lessons.forEach((lesson, col) => {
    head.appendChild(el("th", { scope: "col", "class": "lesson-col", "data-col": String(col) }));
  });
  head.appendChild(el("th", { scope: "col", "class": "avg", title: "Средний балл за период", text: "Средн." }));
  head.appendChild(el("th", {
    scope: "col", "class": "avg", title: "Средневзвешенный балл: отметки с весами видов работ", text: "Взвеш."
  }));
  periodHeadCells().forEach((th) => head.appendChild(th));
  journal.lessons.forEach((lesson, col) => fillColumnHead(head.children[col + 1], lesson));
  return head;
}

function fillColumnHead(th, lesson) {
  const date = parseDate(lesson.date);
  const kind = journal.workTypeByCode[columnWorkType(lesson)];
  clear(th).className = "lesson-col" + (isOpen(lesson) ? " current" : "");
  if (editable()) {
    th.appendChild(el("button", {
      type: "button", "class": "col-head", title: lesson.topic, text: dayMonth(date),
      "aria-label": "Урок " + russianDate(lesson.date) + ": " + lesson.topic + ". Изменить тему и задание",
      onclick: () => openLesson(lesson)
    }));
  } else {
    th.appendChild(el("span", { "class": "col-head", title: lesson.topic, text: dayMonth(date) }));
  }
  if (editable()) th.appendChild(el("span", { "class": "col-kind", text: kind ? kind.title : "" }));
}

function renderColumnHead(lesson) {
  const col = journal.lessons.indexOf(lesson);
  const th = $('#journal thead th[data-col="' + col + '"]');
  if (th) fillColumnHead(th, lesson);
}

/** what the course's newcomers brought in its subject from their previous school, under the grid and apart
    from its marks and averages, read only. After the grid in the tab order, so the grid stays one tab stop. */
function renderTransfers() {
  const list = clear($("#transfer-list"));
  const newcomers = journal.students.filter((student) => journal.transfers[student.student_id]);
  $("#journal-transfers").hidden = !newcomers.length;
  newcomers.forEach((student) => {
    const copy = journal.transfers[student.student_id];
    list.appendChild(el("details", { "class": "transcript", id: "transfer-" + student.student_id }, [
      el("summary", { text: studentName(student) + " — " + copy.source_school_names.join(", ") }),
      fromSchool(copy.source_school_names.map((school) => origin(school, copy.academic_year))),
      ...subjectCopy({ marks: copy.marks, periodMarks: copy.period_marks }, studentName(student))
    ]));
  });
}

/** The newcomer's mark in the grid: a click or a tap opens their copy under the grid (the keyboard reaches it there). */
function transferTag(student) {
  const copy = journal.transfers[student.student_id];
  if (!copy) return null;
  return el("button", {
    type: "button", "class": "tag transfer-tag", tabindex: "-1", text: "из др. школы",
    title: "Из прежней школы: " + copy.source_school_names.join(", ") + ". Показать отметки по предмету",
    onclick: () => {
      const details = $("#transfer-" + student.student_id);
      details.open = true;
      details.scrollIntoView({ block: "nearest", behavior: "smooth" });
      details.querySelector("summary").focus({ preventScroll: true });
    }
  });
}

function journalRow(student, row) {
  const tr = el("tr", { "data-student": student.student_id }, [
    el("th", { scope: "row", "class": "name-col" }, [document.createTextNode(studentName(student)), transferTag(student)])
  ]);
  journal.lessons.forEach((lesson, col) => tr.appendChild(fillCell(el("td", {
    "class": "cell", role: "gridcell", tabindex: "-1", "data-row": String(row), "data-col": String(col)
  }), lesson, student)));
  const averages = journal.averages[student.student_id] || {};
  tr.appendChild(el("td", { "class": "avg", "data-average": "plain", text: decimal(averages.average) }));
  tr.appendChild(el("td", { "class": "avg", "data-average": "weighted", text: decimal(averages.weighted_average) }));
  periodRowCells(student.student_id).forEach((td) => tr.appendChild(td));
  return tr;
}

/** The cell's marks and absence, and a label naming the pupil and the lesson. The label begins with what the
    cell shows (WCAG 2.5.3: the visible text is part of the name), spaced as it is read. */
function fillCell(cell, lesson, student) {
  clear(cell);
  const items = marksOf(lesson, student.student_id).map((mark) => el("span", {
    "class": "mark m" + mark.value + (mark.pending ? " pending" : ""), title: markTitle(mark), text: mark.value
  }));
  const absence = absenceOf(lesson, student.student_id);
  if (absence) {
    items.push(el("span", {
      "class": "absence" + (absence.pending ? " pending" : ""), title: absenceLabel(absence.code), text: absence.code
    }));
  }
  if (cell.dataset.error) items.push(el("span", { "class": "cell-error", text: cell.dataset.error }));
  items.forEach((item, i) => {
    if (i) cell.appendChild(document.createTextNode(" "));
    cell.appendChild(item);
  });
  const marks = marksOf(lesson, student.student_id);
  const said = [studentName(student), lessonName(lesson)];
  said.push(marks.length ? plural(marks.length, "отметка", "отметки", "отметок") + ": " +
    marks.map((m) => m.value).join(", ") : "отметок нет");
  if (absence) said.push("пропуск " + absenceLabel(absence.code));
  if (cell.dataset.error) said.push("не сохранено");
  const shown = cell.textContent.trim();
  cell.setAttribute("aria-label", (shown ? shown + " — " : "") + said.join(", "));
  if (cell.dataset.error) cell.setAttribute("aria-invalid", "true"); else cell.removeAttribute("aria-invalid");
  return cell;
}

function cellAt(row, col) { return $('#journal td.cell[data-row="' + row + '"][data-col="' + col + '"]'); }

function redrawCell(lesson, student) {
  const cell = cellAt(journal.students.indexOf(student), journal.lessons.indexOf(lesson));
  if (cell) fillCell(cell, lesson, student);
}

/** Moves the keyboard's cell (a roving tab stop: the grid is one stop in the page's tab order). */
function placeCursor(row, col, focus) {
  const rows = journal.students.length, cols = journal.lessons.length;
  if (!rows || !cols) return;
  row = Math.max(0, Math.min(rows - 1, row));
  col = Math.max(0, Math.min(cols - 1, col));
  const before = cellAt(journal.cursor.row, journal.cursor.col);
  if (before) before.setAttribute("tabindex", "-1");
  journal.cursor = { row, col };
  const cell = cellAt(row, col);
  cell.setAttribute("tabindex", "0");
  if (focus) cell.focus();
  const lesson = journal.lessons[col];
  saveColumnsBut(lesson);
  $("#column-work-type").value = columnWorkType(lesson);
  $("#column-title").textContent = "Столбец " + russianDate(lesson.date) + " — вид работы";
}

function moveCursor(rows, cols) { placeCursor(journal.cursor.row + rows, journal.cursor.col + cols, true); }

function onGridKey(event) {
  const cell = event.target.closest && event.target.closest("td.cell");
  if (!cell || event.altKey || event.ctrlKey || event.metaKey) return;
  const { row, col } = journal.cursor;
  const entering = editable();
  const lastCol = journal.lessons.length - 1, lastRow = journal.students.length - 1;
  const key = event.key;
  const absence = ABSENCE_CODES.indexOf(key.toUpperCase()) >= 0 ? key.toUpperCase() : ABSENCE_KEYS[event.code];
  let handled = true;
  if (key === "ArrowDown") moveCursor(1, 0);
  else if (key === "ArrowUp") moveCursor(-1, 0);
  else if (key === "ArrowRight") moveCursor(0, 1);
  else if (key === "ArrowLeft") moveCursor(0, -1);
  else if (key === "Home") placeCursor(row, 0, true);
  else if (key === "End") placeCursor(row, lastCol, true);
  else if (key === "Enter") moveCursor(event.shiftKey ? -1 : 1, 0);
  // Tab walks the row; past its last cell (or before its first) it leaves the grid as usual.
  else if (key === "Tab" && !event.shiftKey && col < lastCol) moveCursor(0, 1);
  else if (key === "Tab" && event.shiftKey && col > 0) moveCursor(0, -1);
  else if (!entering) handled = false;
  else if (key === " " || key === "F2") openCellChoices();
  else if (/^[1-5]$/.test(key)) enterMark(key, row < lastRow);
  else if (absence) enterAbsence(absence, row < lastRow);
  else if (key === "Backspace" || key === "Delete") withdrawAbsence();
  else handled = false;
  if (handled) event.preventDefault();
}

function cursorEntry() {
  return [journal.lessons[journal.cursor.col], journal.students[journal.cursor.row], journal.cursor];
}

/** What happened to an entry: beside the cell (it stays until the next entry there) and in the live region. */
function say(lesson, student, text, kind) {
  const cell = cellAt(journal.students.indexOf(student), journal.lessons.indexOf(lesson));
  if (cell) {
    if (kind === "error") cell.dataset.error = text; else delete cell.dataset.error;
    fillCell(cell, lesson, student);
  }
  show($("#journal-note"), studentName(student) + ", " + lessonName(lesson) + ": " + text, kind);
}

/** A digit: a mark of the column's work type, shown at once and saved with the rest of the column (column mode):
    one request when the teacher pauses or leaves the column. Over a mark of that work type it changes it. */
function enterMark(value, moveOn) {
  const [lesson, student] = cursorEntry();
  const workType = columnWorkType(lesson);
  if (markValues(workType) === PASS_FAIL) {
    say(lesson, student, "«" + workTypeTitle(workType) + "» ставится как зачёт: нажмите пробел и выберите.", "error");
    return;
  }
  const before = marksOf(lesson, student.student_id).find((m) => m.work_type === workType) || null;
  if (moveOn) moveCursor(1, 0);
  if (before && before.value === value) return;
  const draft = columnDraft(lesson, workType);
  const entered = { ...(before || {}), student_id: student.student_id, value, work_type: workType, pending: true };
  const earlier = draft.rows.get(student.student_id);
  draft.rows.set(student.student_id, { student, entered, before: earlier ? earlier.before : before });
  lesson.marks = (lesson.marks || []).filter((m) => m !== before).concat([entered]);
  say(lesson, student, "", "");
  clearTimeout(draft.timer);
  draft.timer = setTimeout(() => saveColumn(lesson), COLUMN_PAUSE_MS);
}

/** How long the teacher may pause in a column before what they typed is saved. */
const COLUMN_PAUSE_MS = 800;
/** Marks typed and not yet sent, by lesson id: the work type and the rows by pupil. */
const drafts = new Map();

function columnDraft(lesson, workType) {
  let draft = drafts.get(lesson.id);
  if (draft && draft.workType !== workType) { saveColumn(lesson); draft = null; }
  if (!draft) {
    draft = { workType, rows: new Map(), timer: null };
    drafts.set(lesson.id, draft);
  }
  return draft;
}

/** Sends the column's typed marks in one request (all or nothing): the answer is the column as it now stands.
    Rows the gradebook refuses are taken back with the reason beside each; the others are sent again without them. */
async function saveColumn(lesson) {
  const draft = drafts.get(lesson.id);
  if (!draft) return;
  drafts.delete(lesson.id);
  clearTimeout(draft.timer);
  const rows = Array.from(draft.rows.values());
  const takeBack = (row) => {
    lesson.marks = lesson.marks.filter((m) => m !== row.entered).concat(row.before ? [row.before] : []);
  };
  const body = { work_type: draft.workType, marks: rows.map((r) => ({ student_id: r.student.student_id, value: r.entered.value })) };
  try {
    const column = await api("PUT", gradebook("/lessons/" + lesson.id + "/marks"), body);
    const saved = new Set(rows.map((r) => r.entered));
    lesson.marks = lesson.marks.filter((m) => !saved.has(m) && !(m.work_type === draft.workType && !m.pending)).concat(column);
    rows.forEach((row) => redrawCell(lesson, row.student));
    refreshAverages();
    offerColumnUndo(lesson, rows, column);
  } catch (error) {
    const byPupil = Object.fromEntries((error.fields || []).filter((f) => f.student_id).map((f) => [f.student_id, f.detail]));
    const refused = rows.filter((row) => byPupil[row.student.student_id]);
    if (refused.length && refused.length < rows.length) {
      refused.forEach((row) => { takeBack(row); say(lesson, row.student, byPupil[row.student.student_id], "error"); });
      const retry = columnDraft(lesson, draft.workType);
      rows.filter((row) => !byPupil[row.student.student_id]).forEach((row) => retry.rows.set(row.student.student_id, row));
      await saveColumn(lesson);
      return;
    }
    rows.forEach((row) => { takeBack(row); say(lesson, row.student, byPupil[row.student.student_id] || error.message, "error"); });
  }
}

/** Saves whatever is typed in other columns once the cursor leaves them. */
function saveColumnsBut(lesson) {
  journal.lessons.forEach((other) => { if (other !== lesson && drafts.has(other.id)) saveColumn(other); });
}

/** Before the grid is drawn anew (another period or course) or the tab is hidden, nothing typed stays unsent. */
function saveAllColumns() { saveColumnsBut(null); }

/** Н, Б, У or О: records the absence, or corrects its reason. */
function enterAbsence(code, moveOn) {
  const [lesson, student] = cursorEntry();
  const before = absenceOf(lesson, student.student_id);
  if (moveOn) moveCursor(1, 0);
  if (before && before.code === code) return;
  changeAbsence(lesson, student, before, code);
}

function withdrawAbsence() {
  const [lesson, student] = cursorEntry();
  const before = absenceOf(lesson, student.student_id);
  if (before) changeAbsence(lesson, student, before, "");
  else removeMark(lesson, student);
}

/** Shows the absence as it will be, saves it, and puts the old one back if attendance refuses. */
function changeAbsence(lesson, student, before, code) {
  const list = journal.absences[lesson.id] || [];
  const others = list.filter((a) => a !== before);
  journal.absences[lesson.id] = code ? others.concat([{ ...(before || {}), student_id: student.student_id, code, pending: true }])
    : others;
  say(lesson, student, "", "");
  return saveAbsence(lesson, before, student, code).then((saved) => {
    journal.absences[lesson.id] = others.concat(saved ? [saved] : []);
    redrawCell(lesson, student);
  }, (error) => {
    journal.absences[lesson.id] = others.concat(before ? [before] : []);
    say(lesson, student, error.message, "error");
    throw error;
  });
}

/** Records, corrects or withdraws the absence; resolves to the absence as it now is (null when withdrawn). */
async function saveAbsence(lesson, before, student, code) {
  if (before && !code) {
    await api("DELETE", attendance("/absences/" + before.id));
    return null;
  }
  if (before) return api("PATCH", attendance("/absences/" + before.id), { reason: code });
  const body = { student_id: student.student_id, reason: code };
  // Attendance learns of a new lesson by an event; until then it answers 409, so try again shortly.
  return retrying(
    () => api("POST", attendance("/lessons/" + lesson.id + "/absences"), body),
    (error) => error.status === 409 && /ещё не получен/.test(error.message), 6, 500);
}

/** The averages change with every mark; a burst of entries asks once, when it is over. */
let averagesTimer = null;
function refreshAverages() {
  clearTimeout(averagesTimer);
  averagesTimer = setTimeout(async () => {
    const period = "?start=" + isoDate(journal.start) + "&end=" + isoDate(journal.end);
    try {
      const averages = await api("GET", gradebook("/courses/" + journal.course.id + "/averages" + period));
      journal.averages = Object.fromEntries(averages.map((a) => [a.student_id, a]));
      journal.students.forEach((student) => {
        const row = $('#journal tr[data-student="' + student.student_id + '"]');
        const found = journal.averages[student.student_id] || {};
        if (!row) return;
        row.querySelector('[data-average="plain"]').textContent = decimal(found.average);
        row.querySelector('[data-average="weighted"]').textContent = decimal(found.weighted_average);
      });
      refreshPeriod();
    } catch {
      // The averages catch up with the next load of the journal.
    }
  }, 600);
}

/** The cell's choices for a mouse or a finger: a new mark, an absence, the existing marks to correct. */
function openCellChoices() {
  const [lesson, student] = cursorEntry();
  if (!lesson || !student || !editable()) return;
  const dialog = $("#editor");
  const status = el("p", { "class": "status", role: "status" });
  const workType = columnWorkType(lesson);
  const done = (promise) => promise.then(() => { dialog.close(); }, (error) => show(status, error.message, "error"));
  const newMarks = el("div", { "class": "choices", role: "group", "aria-label": "Новая отметка" });
  markValues(workType).forEach(([value, label]) => newMarks.appendChild(el("button", {
    type: "button", "class": "choice mark m" + value, text: label,
    "aria-label": "Поставить " + label + ": " + studentName(student),
    onclick: () => {
      dialog.close();
      if (markValues(workType) === PASS_FAIL) postMark(lesson, student, value, workType);
      else { enterMark(value, false); saveColumn(lesson); }
    }
  })));
  const current = absenceOf(lesson, student.student_id);
  const absences = el("div", { "class": "choices", role: "group", "aria-label": "Пропуск" });
  absenceChoices().concat(current ? [["", "Снять отметку о пропуске"]] : []).forEach(([code, label]) => {
    absences.appendChild(el("button", {
      type: "button", "class": "choice" + (current && current.code === code ? " active" : "") + (code ? "" : " remove"),
      text: label, onclick: () => done(changeAbsence(lesson, student, current, code))
    }));
  });
  const existing = marksOf(lesson, student.student_id).filter((m) => !m.pending);
  const corrections = existing.map((mark) => {
    const group = el("div", { "class": "choices", role: "group", "aria-label": "Исправить " + mark.value + ", " + markTitle(mark) });
    markValues(mark.work_type).forEach(([value, label]) => group.appendChild(el("button", {
      type: "button", "class": "choice mark m" + value + (value === mark.value ? " active" : ""), text: label,
      "aria-label": "Исправить на " + label,
      onclick: () => (value === mark.value ? dialog.close() : done(correctMark(lesson, student, mark, value)))
    })));
    return el("div", {}, [el("p", { "class": "hint", text: "Исправить " + mark.value + " (" + markTitle(mark) + ")" }), group]);
  });
  clear(dialog).appendChild(el("h3", { id: "editor-title", text: studentName(student) }));
  dialog.appendChild(el("p", { "class": "hint", text: "Урок " + russianDate(lesson.date) + ", " +
    weekday(parseDate(lesson.date)).toLowerCase() + " · " + workTypeTitle(workType) }));
  dialog.appendChild(newMarks);
  dialog.appendChild(absences);
  corrections.forEach((node) => dialog.appendChild(node));
  existing.forEach((mark) => dialog.appendChild(markCorrections(mark, journal.workTypes, {
    onWorkType: (code) => retypeMark(lesson, student, mark, code).then(() => dialog.close()),
    onDelete: () => { dialog.close(); return confirmDelete(lesson, student, mark); }
  })));
  dialog.appendChild(status);
  dialog.appendChild(el("div", { "class": "editor-foot" }, [
    el("button", { type: "button", "class": "button quiet", text: "Закрыть", onclick: () => dialog.close() })
  ]));
  dialog.onclose = () => { const cell = cellAt(journal.cursor.row, journal.cursor.col); if (cell) cell.focus(); };
  dialog.showModal();
}

/** A зачёт/незачёт, which has no key of its own. */
function postMark(lesson, student, value, workType) {
  const body = { student_id: student.student_id, value, work_type: workType };
  api("POST", gradebook("/lessons/" + lesson.id + "/marks"), body).then((mark) => {
    lesson.marks = (lesson.marks || []).concat([mark]);
    say(lesson, student, "Отметка " + mark.value + " сохранена", "ok");
    refreshAverages();
  }, (error) => say(lesson, student, error.message, "error"));
}

/** Corrects a mark (R-23: the audit keeps the old value); refused after the edit window closes. */
async function correctMark(lesson, student, mark, value) {
  const saved = await api("PATCH", gradebook("/marks/" + mark.id), { value });
  lesson.marks = lesson.marks.map((m) => (m === mark ? saved : m));
  say(lesson, student, "Отметка исправлена на " + saved.value, "ok");
  refreshAverages();
}

function openLesson(lesson) {
  const date = parseDate(lesson.date);
  journal.open = lesson;
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
  journal.lessons.forEach((l) => renderColumnHead(l));
  panel.scrollIntoView({ block: "start", behavior: "smooth" });
  form.elements.topic.focus({ preventScroll: true });
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
  show($("#lesson-status"), "Укажите дату и тему. Отметки и пропуски ставьте в столбце урока в журнале.", "");
  journal.lessons.forEach((l) => renderColumnHead(l));
  panel.scrollIntoView({ block: "start", behavior: "smooth" });
  form.elements.topic.focus({ preventScroll: true });
}

function closeLesson() {
  journal.open = null;
  $("#lesson-panel").hidden = true;
  journal.lessons.forEach((l) => renderColumnHead(l));
  const cell = cellAt(journal.cursor.row, journal.cursor.col);
  if (cell) cell.focus();
}

/** A new lesson (a new column, the cursor on its first pupil) or the open lesson's topic and homework. */
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
  await busy(form, async () => {
    show(status, "Сохраняю…", "");
    try {
      const saved = isNew ? await api("POST", gradebook("/lessons"), body)
        : await api("PATCH", gradebook("/lessons/" + journal.open.id), body);
      const date = parseDate(saved.date);
      if (date < journal.start || date > journal.end) {
        journal.end = date > today() ? date : today();
        journal.start = addDays(journal.end, 1 - JOURNAL_DAYS);
      }
      if (isNew) {
        journal.fresh.add(saved.id);
        journal.open = null;
        $("#lesson-panel").hidden = true;
        journal.cursor = { row: 0, col: 0 };
        await loadJournal();
        const col = journal.lessons.findIndex((l) => l.id === saved.id);
        show($("#journal-note"), "Урок " + russianDate(saved.date) + " записан. Ставьте отметки в его столбце: " +
          "цифра — отметка, Н, Б, У, О — пропуск.", "ok");
        if (col >= 0) placeCursor(0, col, true);
      } else {
        saved.marks = journal.open.marks;
        journal.open = saved;
        journal.lessons = journal.lessons.map((l) => (l.id === saved.id ? saved : l));
        renderColumnHead(saved);
        show(status, "Тема и домашнее задание сохранены.", "ok");
      }
    } catch (error) {
      show(status, error.message, "error");
    }
  });
}

/* Corrections: the gradebook checks the edit window and logs each with who, when and why. */

/** Backspace on a cell without an absence: the mark of the column's work type (or the cell's only mark) is deleted. */
function removeMark(lesson, student) {
  const marks = marksOf(lesson, student.student_id).filter((m) => !m.pending);
  const mark = marks.find((m) => m.work_type === columnWorkType(lesson)) || (marks.length === 1 ? marks[0] : null);
  if (mark) confirmDelete(lesson, student, mark);
  else if (marks.length) say(lesson, student, "В клетке несколько отметок: нажмите пробел и выберите, какую удалить.", "error");
}

/** Asks why, then deletes; the cell gets the focus back either way. */
async function confirmDelete(lesson, student, mark) {
  const reason = await askReason("Удалить отметку " + mark.value + " (" + markTitle(mark) + ") — " + studentName(student) + "?");
  const cell = cellAt(journal.students.indexOf(student), journal.lessons.indexOf(lesson));
  if (cell) cell.focus();
  if (reason === null) return;
  try {
    await deleteMark(journal.course.school_id, mark, reason);
    lesson.marks = lesson.marks.filter((m) => m.id !== mark.id);
    say(lesson, student, "Отметка " + mark.value + " удалена", "ok");
    refreshAverages();
  } catch (error) {
    say(lesson, student, error.message, "error");
  }
}

async function retypeMark(lesson, student, mark, workType) {
  const saved = await changeWorkType(journal.course.school_id, mark, workType);
  lesson.marks = lesson.marks.map((m) => (m.id === mark.id ? saved : m));
  say(lesson, student, "Вид работы изменён: " + workTypeTitle(saved.work_type), "ok");
  refreshAverages();
}

/** Right after a column is saved the teacher may take it back: new marks are deleted, changed ones restored. */
function offerColumnUndo(lesson, rows, column) {
  const savedFor = new Map(column.map((mark) => [mark.student_id, mark]));
  offerUndo("Сохранено.", async () => {
    for (const row of rows) {
      const saved = savedFor.get(row.student.student_id);
      if (!saved) continue;
      if (row.before) {
        const restored = await api("PATCH", gradebook("/marks/" + saved.id), { value: row.before.value });
        lesson.marks = lesson.marks.map((m) => (m.id === saved.id ? restored : m));
      } else {
        await deleteMark(journal.course.school_id, saved, UNDO_REASON);
        lesson.marks = lesson.marks.filter((m) => m.id !== saved.id);
      }
      redrawCell(lesson, row.student);
    }
    refreshAverages();
  });
}
