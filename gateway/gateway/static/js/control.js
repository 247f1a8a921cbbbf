/* Контроль журнала: the director's and the deputy's start (004 app.2, app.3) — the school at a glance, marks
   entered late (R-23, R-27), pupils at risk of non-attestation (R-28), the families' disputes still unanswered
   (004 app.8), and the way to the reports (R-62). Read only: gradebook refuses these lists to anyone else. */

import { api } from "./api.js";
import { $, el, clear, show, options, plural, russianDate, decimal } from "./dom.js";
import { disputeItem } from "./disputes.js";

const state = { school: null, courses: [] };

function gradebook(path) { return "/gradebook/schools/" + state.school + path; }

export async function startControl(section) {
  const schools = JSON.parse(section.getAttribute("data-schools"));
  const pick = $("#control-school");
  options(pick, schools.map((s) => [s.id, s.name]));
  pick.addEventListener("change", () => open(pick.value));
  $("#control-period").addEventListener("change", loadRisks);
  section.querySelectorAll("[data-open-report]").forEach((button) =>
    button.addEventListener("click", () => openReport(button.getAttribute("data-open-report"))));
  await open(schools[0].id);
}

/** The same report the «Отчёты» section builds, opened there with the keyboard's focus on its result. */
function openReport(kind) {
  const button = document.querySelector('#report-kinds [data-report="' + kind + '"]');
  if (!button) return;
  button.click();
  button.scrollIntoView({ block: "start" });
  button.focus();
}

async function open(school) {
  state.school = school;
  const status = $("#control-status");
  show(status, "Загрузка…", "");
  try {
    const [classes, courses, late] = await Promise.all([
      api("GET", "/roster/schools/" + school + "/classes"),
      api("GET", gradebook("/courses")),
      api("GET", gradebook("/late-entries"))
    ]);
    state.courses = courses;
    const disputes = (await Promise.all(courses.map((c) => api("GET", gradebook("/courses/" + c.id + "/disputes")))))
      .flat();
    const waiting = disputes.filter((d) => d.answer === null);
    show(status, "", "");
    figures(classes, courses, late, waiting);
    renderClasses(classes, courses, waiting);
    renderLate(late);
    renderDisputes(disputes);
    await loadPeriods();
  } catch (error) {
    show(status, error.message, "error");
  }
}

function figures(classes, courses, late, waiting) {
  const list = clear($("#control-figures"));
  [
    [plural(classes.length, "класс", "класса", "классов"), "в школе"],
    [plural(courses.length, "журнал", "журнала", "журналов"), "предметов по классам"],
    [plural(late.length, "отметка", "отметки", "отметок"), "выставлены с опозданием"],
    [plural(waiting.length, "обращение", "обращения", "обращений"), "семей ждут ответа"]
  ].forEach(([figure, what]) => list.appendChild(el("li", {}, [el("strong", { text: figure }), el("span", { text: what })])));
}

function table(node, heads, rows, empty) {
  clear(node);
  if (!rows.length) {
    node.appendChild(el("tbody", {}, [el("tr", {}, [el("td", { "class": "hint", text: empty })])]));
    return;
  }
  node.appendChild(el("thead", {}, [el("tr", {}, heads.map((h) => el("th", { scope: "col", text: h })))]));
  node.appendChild(el("tbody", {}, rows.map((cells) => el("tr", {}, cells.map((c, i) =>
    i === 0 ? el("th", { scope: "row", text: c }) : el("td", { text: c }))))));
}

function renderClasses(classes, courses, waiting) {
  const rows = classes.map((klass) => {
    const own = courses.filter((c) => c.class_id === klass.id);
    const ids = new Set(own.map((c) => c.id));
    return [klass.name, own.map((c) => c.subject_name).join(", ") || "—",
      String(waiting.filter((d) => ids.has(d.course_id)).length)];
  });
  table($("#control-classes"), ["Класс", "Журналы", "Обращений без ответа"], rows, "Классов пока нет.");
}

function renderLate(late) {
  const rows = late.map((entry) => [
    entry.class_name + " · " + entry.subject_name,
    entry.lesson_date ? russianDate(entry.lesson_date) : entry.period_name,
    entry.student_name || "—",
    entry.what,
    entry.teacher_name || "—",
    plural(entry.days_late, "день", "дня", "дней")
  ]);
  table($("#control-late"), ["Журнал", "Урок или период", "Ученик", "Отметка", "Учитель", "Опоздание"], rows,
    "Опозданий нет: все отметки выставлены в срок.");
}

/** The periods of the school's classes (those of its first journal: a school's grades share one calendar). */
async function loadPeriods() {
  const select = clear($("#control-period"));
  if (!state.courses.length) { table($("#control-risks"), [], [], "Журналов пока нет."); return; }
  const periods = (await api("GET", gradebook("/courses/" + state.courses[0].id + "/periods")))
    .filter((p) => p.kind !== "exam" && p.kind !== "final");
  options(select, periods.map((p) => [p.period_id, p.name]));
  const today = document.body.dataset.today;
  const current = periods.find((p) => p.starts <= today && today <= p.ends);
  if (current) select.value = current.period_id;
  await loadRisks();
}

/** The first rows of a long list; the rest a press away (early in a period nearly everyone has too few marks). */
const RISKS_SHOWN = 10;

async function loadRisks() {
  const period = $("#control-period").value;
  const more = $("#control-risks-more");
  more.hidden = true;
  if (!period) { table($("#control-risks"), [], [], "Учебных периодов пока нет."); return; }
  try {
    const risks = await api("GET", gradebook("/attestation-risks?period_id=" + period));
    const rows = risks.map((r) => [
      r.name || "—", r.class_name + " · " + r.subject_name, decimal(r.weighted_average),
      r.flags.map((f) => f.text).join("; ")
    ]);
    const render = (shown) => table($("#control-risks"), ["Ученик", "Журнал", "Ср. взв.", "Почему"], shown,
      "Рисков нет: всех можно аттестовать.");
    render(rows.slice(0, RISKS_SHOWN));
    if (rows.length > RISKS_SHOWN) {
      more.textContent = "Показать все строки (" + rows.length + ")";
      more.hidden = false;
      more.onclick = () => { render(rows); more.hidden = true; $("#control-risks").parentNode.focus(); };
    }
  } catch (error) {
    show($("#control-status"), error.message, "error");
  }
}

function renderDisputes(disputes) {
  const list = clear($("#control-disputes"));
  const names = new Map(state.courses.map((c) => [c.id, c.class_name + " · " + c.subject_name]));
  if (!disputes.length) list.appendChild(el("li", { "class": "hint", text: "Обращений нет." }));
  disputes
    .sort((a, b) => (a.answer === null ? 0 : 1) - (b.answer === null ? 0 : 1))
    .forEach((d) => list.appendChild(disputeItem(d, names.get(d.course_id), null)));
}
