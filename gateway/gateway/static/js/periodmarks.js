/* Итоговые отметки in the teacher's journal (R-27 … R-29).

   Beside the grid's averages: the forecast for the period under way and the period mark, with a ⚠ where the
   attestation checks flag a pupil (too few marks for the weekly hours, more than half the lessons missed). Under
   the grid, the period's sheet: averages, forecast and what would lift it, flags, and the period mark field; the
   course's teacher sets the marks and closes the period, after which its lessons, marks and absences are locked;
   the school's administrator reopens it with a reason. The journal calls in here; nothing here draws its grid. */

import { api } from "./api.js";
import { $, el, clear, options, show, decimal, russianDate, isoDate, today } from "./dom.js";

const SCALE = ["5", "4", "3", "2", "1", "зач", "незач"];
const REGIME_OPTION = { not_attested: "не аттестован…", extended: "продлить срок…" };

/** The course whose periods are shown, its periods, the chosen one and its sheet (rows by student id). */
const periods = { course: null, list: [], period: null, sheet: null, rows: {}, teacher: false, roles: [] };

function gradebook(path) { return "/gradebook/schools/" + periods.course.school_id + path; }

function periodPath(tail) {
  const p = periods.period;
  return gradebook("/courses/" + periods.course.id + "/periods/" + p.kind + "/" + p.period_id + (tail || ""));
}

/** The reporting period under way (or the last begun): the one the journal shows first. */
function currentPeriod(list, todayIso) {
  const reporting = list.filter((p) => ["year", "exam", "final"].indexOf(p.kind) < 0);
  const begun = reporting.filter((p) => p.starts <= todayIso);
  return begun.find((p) => todayIso <= p.ends) || begun[begun.length - 1] || reporting[0] || list[0] || null;
}

/** The school's administrator of the course's school reopens closed periods. */
function administers() {
  return periods.roles.some((r) => r.role === "school_admin" && r.school_id === periods.course.school_id);
}

/** Opens a course's periods; `teacher`: the reader teaches it and sets its period marks. */
export async function openPeriods(course, teacher) {
  periods.course = course;
  periods.teacher = teacher;
  periods.sheet = null;
  periods.rows = {};
  const box = $("#period-marks");
  box.hidden = true;
  try {
    const list = await api("GET", gradebook("/courses/" + course.id + "/periods"));
    if (periods.course !== course) return;
    periods.list = list;
    if (!list.length) return;
    const select = clear($("#pm-period"));
    options(select, list.map((p, i) => [String(i), p.name]));
    periods.period = currentPeriod(list, isoDate(today()));
    select.value = String(list.indexOf(periods.period));
    select.onchange = () => { periods.period = periods.list[+select.value]; refreshPeriod(); };
    box.hidden = false;
    await refreshPeriod();
  } catch (error) {
    box.hidden = false;
    show($("#pm-status"), error.message, "error");
  }
}

/** The sheet again (after a mark, say): the grid's period cells and the panel follow. */
export async function refreshPeriod() {
  if (!periods.period) return;
  const course = periods.course;
  try {
    const sheet = await api("GET", periodPath());
    if (periods.course !== course) return;
    periods.sheet = sheet;
    periods.rows = Object.fromEntries(sheet.rows.map((row) => [row.student_id, row]));
    fillGridCells();
    renderSheet();
  } catch (error) {
    show($("#pm-status"), error.message, "error");
  }
}

/** The grid's head cells for the period: forecast and period mark. */
export function periodHeadCells() {
  return [
    el("th", { scope: "col", "class": "avg", title: "Прогноз итоговой отметки по средневзвешенному баллу", text: "Прогноз" }),
    el("th", { scope: "col", "class": "avg period-col", title: "Итоговая отметка за период", text: "Итог." })
  ];
}

/** A pupil's period cells in the grid; filled from the sheet when it arrives. */
export function periodRowCells(studentId) {
  const cells = [
    el("td", { "class": "avg", "data-period": "forecast", "data-student": studentId }),
    el("td", { "class": "avg period-col", "data-period": "mark", "data-student": studentId })
  ];
  fillRow(cells[0], cells[1], periods.rows[studentId]);
  return cells;
}

function fillRow(forecastCell, markCell, row) {
  forecastCell.textContent = row && row.forecast ? String(row.forecast) : "—";
  if (row && row.flags.length) {
    forecastCell.appendChild(el("span", { "class": "flag", title: row.flags.map((f) => f.text).join(" "), text: " ⚠" }));
  }
  markCell.textContent = row && row.period_mark ? row.period_mark.text : (row && row.exempt ? "без атт." : "");
}

function fillGridCells() {
  document.querySelectorAll('#journal td[data-period="forecast"]').forEach((cell) => {
    const mark = cell.parentNode.querySelector('td[data-period="mark"]');
    fillRow(cell, mark, periods.rows[cell.getAttribute("data-student")]);
  });
}

function neededText(row) {
  // Without a mark to count there is no forecast to lift.
  if (!row.forecast || !row.needed.length) return "";
  return row.needed.map((n) => "на «" + n.target + "»: " + n.values.join(", ")).join("; ");
}

function renderSheet() {
  const sheet = periods.sheet;
  const p = sheet.period;
  const writable = periods.teacher && !p.closed;
  $("#pm-title").textContent = "Итоговые отметки · " + p.name + " (" + russianDate(p.starts) + " — " + russianDate(p.ends) + ")";
  show($("#pm-status"), p.closed
    ? "Период закрыт: уроки, отметки и пропуски за него больше не меняются."
    : "Итоговые отметки — до " + russianDate(p.deadline) + ".", p.closed ? "ok" : "hint");
  const table = clear($("#pm-table"));
  table.appendChild(el("caption", { "class": "visually-hidden", text: $("#pm-title").textContent }));
  table.appendChild(el("thead", {}, [el("tr", {}, [
    "Обучающийся", "Отметок", "Средн.", "Взвеш.", "Прогноз", "Что нужно для повышения", "Пропущено", "Замечания",
    "Итоговая"
  ].map((text) => el("th", { scope: "col", text })))]));
  const body = el("tbody");
  sheet.rows.forEach((row) => body.appendChild(el("tr", { "data-student": row.student_id }, [
    el("th", { scope: "row", "class": "name-col", text: row.name || "(данные ещё загружаются)" }),
    el("td", { text: String(row.marks) }),
    el("td", { text: decimal(row.average) }),
    el("td", { text: decimal(row.weighted_average) }),
    el("td", { text: row.forecast ? String(row.forecast) : "—" }),
    el("td", { "class": "hint", text: neededText(row) }),
    el("td", { text: row.missed + " из " + row.lessons }),
    el("td", { "class": row.flags.length ? "status error" : "", text: row.flags.map((f) => f.text).join(" ") }),
    el("td", {}, [markField(row, writable)])
  ])));
  table.appendChild(body);
  const close = $("#pm-close");
  close.hidden = !writable;
  close.textContent = "Закрыть период";
  close.onclick = () => confirmClose(close);
  $("#pm-reopen").hidden = !(administers() && p.closed);
}

/** The period mark's field: a choice of the scale, or the school's way for who cannot be attested. */
function markField(row, writable) {
  const current = row.period_mark;
  if (row.exempt) return el("span", { "class": "hint", text: "без аттестации" });
  if (!writable) return el("span", { text: current ? current.text : "—" });
  const label = "Итоговая отметка: " + (row.name || "");
  const select = el("select", { "aria-label": label, "data-student": row.student_id });
  options(select, [["", current ? current.text : "—"], ...SCALE.map((v) => [v, v]),
    ["regime", REGIME_OPTION[periods.sheet.non_attestation]]]);
  const extra = el("input", {
    type: periods.sheet.non_attestation === "extended" ? "date" : "text", hidden: "",
    "aria-label": periods.sheet.non_attestation === "extended" ? "Срок продлён до" : "Причина неаттестации",
    placeholder: "Причина"
  });
  const save = el("button", { type: "button", "class": "button quiet", hidden: "", text: "Сохранить" });
  const wrap = el("span", { "class": "pm-field" }, [select, extra, save]);
  select.addEventListener("change", () => {
    const regime = select.value === "regime";
    extra.hidden = !regime;
    save.hidden = !regime;
    if (regime) extra.focus();
    else if (select.value) setMark(row, { value: select.value });
  });
  save.addEventListener("click", () => setMark(row, periods.sheet.non_attestation === "extended"
    ? { extended_to: extra.value } : { not_attested_reason: extra.value }));
  return wrap;
}

async function setMark(row, body) {
  try {
    await api("PUT", periodPath("/marks/" + row.student_id), body);
    await refreshPeriod();
  } catch (error) {
    show($("#pm-status"), (row.name ? row.name + ": " : "") + error.message, "error");
  }
}

/** Closing asks once more: after it the period's journal no longer changes. */
function confirmClose(button) {
  if (button.dataset.confirm !== "yes") {
    button.dataset.confirm = "yes";
    button.textContent = "Подтвердите: закрыть «" + periods.period.name + "»";
    return;
  }
  delete button.dataset.confirm;
  closePeriod();
}

async function closePeriod() {
  try {
    await api("POST", periodPath("/close"));
    await refreshPeriod();
  } catch (error) {
    show($("#pm-status"), error.message, "error");
  }
}

/** The administrator reopens a closed period with a reason, which the period's log keeps. */
export function startPeriodMarks(me) {
  periods.roles = me.roles || [];
  $("#pm-reopen").addEventListener("submit", async (event) => {
    event.preventDefault();
    const reason = event.currentTarget.elements.reason;
    try {
      await api("POST", periodPath("/reopen"), { reason: reason.value });
      reason.value = "";
      await refreshPeriod();
    } catch (error) {
      show($("#pm-status"), error.message, "error");
    }
  });
}
