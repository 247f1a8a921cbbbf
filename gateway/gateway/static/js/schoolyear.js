/* The school year for the administrator (R-11 … R-14): calendar, periods, bells, rooms, groups, electives and clubs,
   curriculum and load, the weekly timetable with a preview, and the changes of a day. */

import { api } from "./api.js";
import { $, el, clear, options, show, isoDate, today, russianDate } from "./dom.js";

const WEEKDAYS = ["Пн", "Вт", "Ср", "Чт", "Пт", "Сб"];
const NEXT_STATUS = { planning: ["active", "Начать учебный год"], active: ["closing", "Начать завершение года"], closing: ["archived", "Отправить в архив"] };
const STATUS_TITLES = { planning: "планируется", active: "идёт", closing: "завершается", archived: "в архиве" };
const SCHEME_SIZES = { quarters: 4, half_years: 2, trimesters: 3, semesters: 2 };

const state = { school: null, years: [], year: null, calendar: null, subjects: [], classes: [], staff: [],
  rooms: [], buildings: [], bells: [], assignments: [], template: [], group: null, elective: null };

function roster(path) { return "/roster/schools/" + state.school + path; }

function byId(list) { return Object.fromEntries(list.map((item) => [item.id || item.person_id, item])); }

async function guarded(status, action, done) {
  try {
    await action();
    if (done) show(status, done, "ok");
  } catch (error) {
    show(status, error.message, "error");
  }
}

function formBody(form) { return Object.fromEntries(new FormData(form).entries()); }

export function startSchoolYear(section) {
  const picker = $("#admin-school");
  state.school = picker.value;
  picker.addEventListener("change", () => { state.school = picker.value; loadAll(); });
  section.querySelectorAll(".tab[data-tab='calendar'], .tab[data-tab='timetable']").forEach((tab) => {
    tab.addEventListener("click", loadAll);
  });
  $("#year-pick").addEventListener("change", () => chooseYear($("#year-pick").value));
  $("#year-form").addEventListener("submit", createYear);
  $("#year-advance").addEventListener("click", advanceYear);
  $("#holiday-form").addEventListener("submit", addHoliday);
  $("#transfer-form").addEventListener("submit", addTransfer);
  $("#scheme-form").elements.kind.addEventListener("change", renderSchemePeriods);
  $("#scheme-form").addEventListener("submit", setScheme);
  $("#curriculum-form").addEventListener("submit", setCurriculum);
  $("#bell-form").addEventListener("submit", addBells);
  $("#bell-day-form").addEventListener("submit", setBellDay);
  $("#room-form").addEventListener("submit", addRoom);
  $("#building-form").addEventListener("submit", addBuilding);
  $("#group-form").addEventListener("submit", addGroup);
  $("#member-form").addEventListener("submit", placeInGroup);
  $("#elective-form").addEventListener("submit", addElective);
  $("#elective-member-form").addEventListener("submit", joinElective);
  $("#tt-period").addEventListener("change", loadTemplate);
  $("#tt-class").addEventListener("change", renderGrid);
  $("#slot-form").addEventListener("submit", addSlot);
  $("#tt-preview").addEventListener("click", () => saveTemplate(true));
  $("#tt-save").addEventListener("click", () => saveTemplate(false));
  $("#day-pick").value = isoDate(today());
  $("#day-pick").addEventListener("change", loadDay);
  renderSchemePeriods();
}

async function loadAll() {
  await guarded($("#year-status"), async () => {
    const [years, subjects, classes, staff, rooms, buildings, bells, assignments] = await Promise.all([
      api("GET", roster("/years")), api("GET", roster("/subjects")), api("GET", roster("/classes")),
      api("GET", roster("/staff")), api("GET", roster("/rooms")), api("GET", roster("/buildings")),
      api("GET", roster("/bell-schedules")), api("GET", roster("/assignments"))
    ]);
    Object.assign(state, { years, subjects, classes, staff, rooms, buildings, bells, assignments });
    const pick = clear($("#year-pick"));
    options(pick, years.map((y) => [y.id, y.name]));
    renderStructure();
    const current = years.find((y) => y.status === "active") || years[years.length - 1];
    if (current) { pick.value = current.id; await chooseYear(current.id); } else $("#year-details").hidden = true;
  });
}

function renderStructure() {
  const subjectPairs = state.subjects.map((s) => [s.id, s.name]);
  [$("#curriculum-form").elements.subject_id, $("#group-form").elements.subject_id, $("#elective-form").elements.subject_id].forEach((select) => {
    options(clear(select), subjectPairs);
  });
  options(clear($("#group-form").elements.class_id), state.classes.map((c) => [c.id, c.name]));
  options(clear($("#elective-form").elements.teacher_id), state.staff.filter((p) => p.roles.includes("teacher")).map((p) => [p.person_id, p.name]));
  options(clear($("#tt-class")), state.classes.map((c) => [c.id, c.name]));
  const bellList = clear($("#bell-list"));
  state.bells.forEach((b) => bellList.appendChild(el("li", {}, [
    el("strong", { text: b.name + (b.is_default ? " (основное)" : "") }),
    el("span", { "class": "hint", text: b.bells.map((x) => x.number + ": " + x.starts.slice(0, 5) + "–" + x.ends.slice(0, 5)).join(", ") })
  ])));
  options(clear($("#bell-day-form").elements.schedule_id), state.bells.map((b) => [b.id, b.name]));
  const main = state.bells.find((b) => b.is_default);
  options(clear($("#slot-form").elements.number), (main ? main.bells : []).map((b) => [b.number, b.number + " (" + b.starts.slice(0, 5) + ")"]));
  const buildingList = clear($("#building-list"));
  state.buildings.forEach((b) => buildingList.appendChild(el("li", { text: b.name })));
  options(clear($("#room-form").elements.building_id), [["", "не указано"]].concat(state.buildings.map((b) => [b.id, b.name])));
  const roomList = clear($("#room-list"));
  state.rooms.forEach((r) => roomList.appendChild(el("li", { text: r.name + (r.building ? " · " + r.building : "") })));
  options(clear($("#slot-form").elements.room_id), [["", "—"]].concat(state.rooms.map((r) => [r.id, r.name])));
  loadGroups();
}

async function chooseYear(yearId) {
  state.year = state.years.find((y) => y.id === yearId);
  state.calendar = await api("GET", roster("/years/" + yearId + "/calendar"));
  $("#year-details").hidden = false;
  renderYear();
  await Promise.all([loadLoad(), loadTemplate(), loadDay(), loadElectives()]);
}

function renderYear() {
  const year = state.calendar.year;
  $("#year-state").textContent = russianDate(year.starts) + " — " + russianDate(year.ends) + ", " + STATUS_TITLES[year.status];
  const next = NEXT_STATUS[year.status];
  $("#year-advance").hidden = !next;
  if (next) $("#year-advance").textContent = next[1];
  const holidays = clear($("#holiday-list"));
  state.calendar.holidays.forEach((h) => holidays.appendChild(el("li", {}, [
    el("span", { text: h.name }), el("span", { "class": "hint", text: russianDate(h.starts) + " — " + russianDate(h.ends) })
  ])));
  const transfers = clear($("#transfer-list"));
  state.calendar.transfers.forEach((t) => transfers.appendChild(el("li", {
    text: russianDate(t.day) + " — рабочий день по расписанию: " + ["понедельника", "вторника", "среды", "четверга", "пятницы", "субботы"][t.works_as]
  })));
  const schemes = clear($("#scheme-list"));
  const periods = clear($("#tt-period"));
  state.calendar.schemes.forEach((s) => {
    schemes.appendChild(el("li", {}, [
      el("strong", { text: s.title + ": параллели " + s.grades.join(", ") }),
      el("span", { "class": "hint", text: s.periods.map((p) => p.name + " " + russianDate(p.starts) + "–" + russianDate(p.ends)).join("; ") })
    ]));
    s.periods.forEach((p) => options(periods, [[p.id, p.name + " (параллели " + s.grades.join(", ") + ")"]]));
  });
}

async function createYear(event) {
  event.preventDefault();
  await guarded($("#year-status"), async () => {
    await api("POST", roster("/years"), formBody(event.target));
    event.target.reset();
    await loadAll();
  }, "Учебный год создан.");
}

async function advanceYear() {
  const next = NEXT_STATUS[state.calendar.year.status];
  await guarded($("#year-status"), async () => {
    await api("POST", roster("/years/" + state.year.id + "/status"), { status: next[0] });
    await loadAll();
  }, "Состояние года изменено.");
}

async function addHoliday(event) {
  event.preventDefault();
  await guarded($("#holiday-status"), async () => {
    await api("POST", roster("/years/" + state.year.id + "/holidays"), formBody(event.target));
    event.target.reset();
    await chooseYear(state.year.id);
  }, "Нерабочие дни добавлены; уроки в эти дни отменены.");
}

async function addTransfer(event) {
  event.preventDefault();
  const body = formBody(event.target);
  await guarded($("#holiday-status"), async () => {
    await api("POST", roster("/years/" + state.year.id + "/transfers"), { day: body.day, works_as: +body.works_as });
    await chooseYear(state.year.id);
  }, "Рабочий день перенесён.");
}

function renderSchemePeriods() {
  const box = clear($("#scheme-periods"));
  const count = SCHEME_SIZES[$("#scheme-form").elements.kind.value];
  for (let n = 1; n <= count; n++) {
    box.appendChild(el("span", { "class": "scheme-period" }, [
      el("span", { "class": "hint", text: n + ":" }),
      el("input", { type: "date", name: "starts" + n, required: "", "aria-label": "Начало периода " + n }),
      el("input", { type: "date", name: "ends" + n, required: "", "aria-label": "Конец периода " + n })
    ]));
  }
}

/** «2-9», «10, 11» or «5» as a list of parallels. */
function grades(text) {
  return text.split(",").flatMap((part) => {
    const [from, to] = part.split("-").map((x) => parseInt(x, 10));
    if (isNaN(from)) return [];
    return Array.from({ length: (isNaN(to) ? from : to) - from + 1 }, (_, i) => from + i);
  });
}

async function setScheme(event) {
  event.preventDefault();
  const body = formBody(event.target);
  const periods = Array.from({ length: SCHEME_SIZES[body.kind] }, (_, i) => ({ starts: body["starts" + (i + 1)], ends: body["ends" + (i + 1)] }));
  await guarded($("#scheme-status"), async () => {
    await api("POST", roster("/years/" + state.year.id + "/schemes"), { kind: body.kind, grades: grades(body.grades), periods });
    await chooseYear(state.year.id);
  }, "Периоды заданы.");
}

async function setCurriculum(event) {
  event.preventDefault();
  const body = formBody(event.target);
  await guarded($("#curriculum-status"), async () => {
    await api("PUT", roster("/years/" + state.year.id + "/curriculum"), { grade: +body.grade, subject_id: body.subject_id, hours: +body.hours });
    await loadLoad();
  }, "Часы учебного плана сохранены.");
}

async function loadLoad() {
  const table = clear($("#load-report"));
  const staff = byId(state.staff);
  const lines = await api("GET", roster("/years/" + state.year.id + "/load"));
  table.appendChild(el("thead", {}, [el("tr", {}, ["Класс", "Предмет", "Учитель", "По плану", "По расписанию", "Итог"].map((t) => el("th", { text: t })))]));
  table.appendChild(el("tbody", {}, lines.map((line) => el("tr", { "class": line.difference ? "off-plan" : "" }, [
    line.class_name, line.subject_name, (staff[line.teacher_id] || {}).name || "",
    line.curriculum_hours === null ? "—" : String(line.curriculum_hours), String(line.timetable_hours), line.verdict
  ].map((text) => el("td", { text }))))));
}

function parseBells(text) {
  return text.split("\n").map((line) => line.trim()).filter(Boolean).map((line) => {
    const match = line.match(/^(\d+)\D+(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})$/);
    if (!match) throw new Error("Строка «" + line + "»: нужно «номер начало-конец», например «1 08:30-09:15».");
    return { number: +match[1], starts: match[2].padStart(5, "0"), ends: match[3].padStart(5, "0") };
  });
}

async function addBells(event) {
  event.preventDefault();
  const form = event.target;
  await guarded($("#bell-status"), async () => {
    await api("POST", roster("/bell-schedules"), { name: form.elements.name.value, is_default: form.elements.is_default.checked, bells: parseBells(form.elements.bells.value) });
    form.reset();
    await loadAll();
  }, "Расписание звонков добавлено.");
}

async function setBellDay(event) {
  event.preventDefault();
  await guarded($("#bell-status"), () => api("PUT", roster("/bell-days"), formBody(event.target)), "День будет идти по этим звонкам.");
}

async function addRoom(event) {
  event.preventDefault();
  await guarded($("#room-status"), async () => {
    const body = formBody(event.target);
    await api("POST", roster("/rooms"), { name: body.name, building_id: body.building_id || null });
    event.target.reset();
    await loadAll();
  }, "Кабинет добавлен.");
}

async function addBuilding(event) {
  event.preventDefault();
  await guarded($("#room-status"), async () => {
    await api("POST", roster("/buildings"), formBody(event.target));
    event.target.reset();
    await loadAll();
  }, "Здание добавлено.");
}

async function loadGroups() {
  const list = clear($("#group-list"));
  const classes = byId(state.classes), subjects = byId(state.subjects);
  (await api("GET", roster("/groups"))).forEach((g) => list.appendChild(el("li", {}, [
    el("span", { text: (classes[g.class_id] || {}).name + " · " + (subjects[g.subject_id] || {}).name + " · " + g.name }),
    el("button", { "class": "button quiet", type: "button", text: "Состав", onclick: () => openGroup(g) })
  ])));
}

async function addGroup(event) {
  event.preventDefault();
  await guarded($("#group-status"), async () => {
    await api("POST", roster("/groups"), formBody(event.target));
    event.target.reset();
    await loadGroups();
  }, "Подгруппа создана.");
}

async function openGroup(group) {
  state.group = group;
  const form = $("#member-form");
  form.hidden = false;
  form.elements.starts.value = isoDate(today());
  const [students, members] = await Promise.all([
    api("GET", roster("/classes/" + group.class_id + "/students")),
    api("GET", roster("/groups/" + group.id + "/members"))
  ]);
  options(clear(form.elements.student_id), students.map((s) => [s.student_id, s.name]));
  const names = Object.fromEntries(students.map((s) => [s.student_id, s.name]));
  show($("#group-status"), group.name + ": " + (members.filter((m) => !m.ends).map((m) => names[m.student_id]).join(", ") || "пока никого"), "");
}

async function placeInGroup(event) {
  event.preventDefault();
  await guarded($("#group-status"), async () => {
    await api("POST", roster("/groups/" + state.group.id + "/members"), formBody(event.target));
    await openGroup(state.group);
  });
}

async function loadElectives() {
  const list = clear($("#elective-list"));
  $("#elective-member-form").hidden = true;
  const subjects = byId(state.subjects), staff = byId(state.staff);
  (await api("GET", roster("/electives?year_id=" + state.year.id))).forEach((g) => list.appendChild(el("li", {}, [
    el("span", { text: (g.kind === "club" ? "Кружок" : "Факультатив") + " «" + g.name + "» · " + (subjects[g.subject_id] || {}).name + " · " + (staff[g.teacher_id] || {}).name }),
    el("button", { "class": "button quiet", type: "button", text: "Состав", "aria-label": "Состав: " + g.name, onclick: () => openElective(g) })
  ])));
}

async function addElective(event) {
  event.preventDefault();
  await guarded($("#elective-status"), async () => {
    await api("POST", roster("/electives"), { ...formBody(event.target), year_id: state.year.id });
    event.target.reset();
    await loadElectives();
  }, "Группа создана.");
}

async function openElective(group) {
  state.elective = group;
  const form = $("#elective-member-form");
  form.hidden = false;
  form.elements.starts.value = isoDate(today());
  // Students of every class of the year: an elective's members come from several classes.
  const [students, members] = await Promise.all([
    api("GET", roster("/people?role=student")),
    api("GET", roster("/electives/" + group.id + "/members"))
  ]);
  options(clear(form.elements.student_id), students.map((s) => [s.id, s.name + (s.classes.length ? " (" + s.classes.join(", ") + ")" : "")]));
  const now = members.filter((m) => !m.ends).map((m) => m.name + (m.class_name ? " (" + m.class_name + ")" : ""));
  show($("#elective-status"), group.name + ": " + (now.join(", ") || "пока никого"), "");
}

async function joinElective(event) {
  event.preventDefault();
  await guarded($("#elective-status"), async () => {
    await api("POST", roster("/electives/" + state.elective.id + "/members"), formBody(event.target));
    await openElective(state.elective);
  });
}

async function loadTemplate() {
  const period = $("#tt-period").value;
  state.template = period ? await api("GET", roster("/periods/" + period + "/template")) : [];
  renderGrid();
}

function classAssignments() {
  const classId = $("#tt-class").value;
  const subjects = byId(state.subjects), staff = byId(state.staff);
  return state.assignments.filter((a) => a.class_id === classId).map((a) => [a.id, (subjects[a.subject_id] || {}).name + " — " + (staff[a.teacher_id] || {}).name]);
}

function renderGrid() {
  options(clear($("#slot-form").elements.assignment_id), classAssignments());
  const mine = new Set(classAssignments().map(([id]) => id));
  const main = state.bells.find((b) => b.is_default);
  const numbers = main ? main.bells.map((b) => b.number) : [];
  const table = clear($("#tt-grid"));
  table.appendChild(el("thead", {}, [el("tr", {}, [el("th", { text: "Урок" })].concat(WEEKDAYS.slice(0, 5).map((d) => el("th", { text: d }))))]));
  table.appendChild(el("tbody", {}, numbers.map((number) => el("tr", {}, [el("th", { text: String(number) })].concat(
    WEEKDAYS.slice(0, 5).map((_, weekday) => el("td", {}, state.template
      .filter((s) => s.weekday === weekday && s.number === number && mine.has(s.assignment_id))
      .map((s) => el("div", { "class": "slot" }, [
        el("span", { text: (s.week ? s.week.replace("B", "Б").replace("A", "А") + ": " : "") + s.course.split(" · ")[1] }),
        el("span", { "class": "hint", text: s.teacher_name + (s.room_name ? ", каб. " + s.room_name : "") }),
        el("button", { "class": "link", type: "button", text: "убрать", "aria-label": "Убрать из шаблона", onclick: () => removeSlot(s) })
      ]))))
  )))));
}

function addSlot(event) {
  event.preventDefault();
  const body = formBody(event.target);
  const assignment = state.assignments.find((a) => a.id === body.assignment_id);
  const subjects = byId(state.subjects), staff = byId(state.staff), rooms = byId(state.rooms);
  state.template.push({
    weekday: +body.weekday, number: +body.number, week: body.week || null, assignment_id: body.assignment_id,
    room_id: body.room_id || null, group_id: null,
    course: $("#tt-class").selectedOptions[0].text + " · " + (subjects[assignment.subject_id] || {}).name,
    teacher_name: (staff[assignment.teacher_id] || {}).name,
    room_name: body.room_id ? rooms[body.room_id].name : null
  });
  show($("#tt-status"), "Добавлено в шаблон; нажмите «Сохранить шаблон».", "");
  renderGrid();
}

function removeSlot(slot) {
  state.template = state.template.filter((s) => s !== slot);
  show($("#tt-status"), "Убрано из шаблона; нажмите «Сохранить шаблон».", "");
  renderGrid();
}

async function saveTemplate(preview) {
  const slots = state.template.map((s) => ({ weekday: s.weekday, number: s.number, week: s.week, assignment_id: s.assignment_id, room_id: s.room_id, group_id: s.group_id }));
  await guarded($("#tt-status"), async () => {
    const change = await api("PUT", roster("/periods/" + $("#tt-period").value + "/template" + (preview ? "?preview=true" : "")), { slots });
    // A move to another building between consecutive lessons: a warning, the template is saved all the same.
    const warnings = clear($("#tt-warnings"));
    change.warnings.forEach((text) => warnings.appendChild(el("li", { "class": "status error", text: "Внимание: " + text })));
    const list = clear($("#tt-changes"));
    const lines = change.added.concat(change.removed, change.changed);
    lines.forEach((line) => list.appendChild(el("li", {}, [
      el("span", { text: russianDate(line.date) + ", урок " + line.number + ": " + line.course }), el("span", { "class": "hint", text: line.what })
    ])));
    show($("#tt-status"), (preview ? "Если сохранить: " : "Сохранено: ") + lines.length + " изменений уроков на ближайшие две недели.", preview ? "" : "ok");
    if (!preview) { await loadTemplate(); await loadDay(); }
  });
}

async function loadDay() {
  const day = $("#day-pick").value;
  const list = clear($("#day-lessons"));
  if (!day) return;
  const lessons = await api("GET", roster("/timetable?start=" + day + "&end=" + day));
  if (!lessons.length) list.appendChild(el("li", { "class": "hint", text: "Уроков в этот день нет." }));
  lessons.forEach((lesson) => list.appendChild(dayLesson(lesson)));
}

function dayLesson(lesson) {
  const actions = el("span", { "class": "actions" });
  const item = el("li", { "class": lesson.status === "cancelled" ? "cancelled" : "" }, [
    el("span", { text: lesson.number + ". " + lesson.starts.slice(0, 5) + " " + lesson.class_name + " · " + lesson.subject_name + " — " + (lesson.substitute_name || lesson.teacher_name) + (lesson.room_name ? ", каб. " + lesson.room_name : "") }),
    lesson.change_note ? el("span", { "class": "hint", text: lesson.change_note }) : null,
    actions
  ]);
  if (lesson.status === "cancelled") return item;
  const change = (path, body) => guarded($("#day-status"), async () => {
    await api("POST", roster("/timetable/lessons/" + lesson.id + "/" + path), body);
    await loadDay();
  }, "Изменение сохранено.");
  const teacher = options(el("select", { "aria-label": "Учитель на замену" }), [["", "Замена…"]].concat(
    state.staff.filter((s) => s.roles.includes("teacher") && s.person_id !== lesson.teacher_id).map((s) => [s.person_id, s.name])));
  teacher.addEventListener("change", () => teacher.value && change("substitute", { teacher_id: teacher.value }));
  const room = options(el("select", { "aria-label": "Другой кабинет" }), [["", "Кабинет…"]].concat(state.rooms.map((r) => [r.id, r.name])));
  room.addEventListener("change", () => room.value && change("room", { room_id: room.value }));
  const cancel = el("button", { "class": "button quiet", type: "button", text: "Отменить", onclick: () => {
    const reason = window.prompt("Причина отмены урока");
    if (reason) change("cancel", { reason });
  } });
  const move = el("button", { "class": "button quiet", type: "button", text: "Перенести", onclick: () => {
    const answer = window.prompt("Новый день и номер урока, например «2026-10-20 3»");
    const match = answer && answer.match(/^(\d{4}-\d{2}-\d{2})\s+(\d+)$/);
    if (match) change("move", { date: match[1], number: +match[2] });
  } });
  [teacher, room, cancel, move].forEach((node) => actions.appendChild(node));
  return item;
}
