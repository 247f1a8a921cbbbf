/* Отчёты (R-60 … R-64): the class teacher's, the administration's and the inspector's reports on screen, with
   the same report to download as XLSX, PDF or CSV, the paper copy of a subject's journal, and the school's
   summary sheets built as a job with its progress. Reporting checks who may read what. */

import { api } from "./api.js";
import { $, el, clear, show, options, isoDate, today, addDays, parseDate } from "./dom.js";

const state = { schools: [], school: null, klass: null, report: null, me: null };

function base() { return "/reporting/schools/" + state.school.id; }
function download(path) { return "/api/v1" + path; }

function query(params) {
  return "?" + Object.entries(params).filter(([, v]) => v).map(([k, v]) => k + "=" + encodeURIComponent(v)).join("&");
}

/** The dates asked for: the chosen reporting period, or the dates given. */
function period() {
  const chosen = $("#report-period").value;
  if (chosen) return { period_id: chosen };
  return { start: $("#report-start").value, end: $("#report-end").value };
}

export async function startReports(section, me) {
  state.me = me;
  state.schools = JSON.parse(section.getAttribute("data-schools"));
  const now = today();
  $("#report-start").value = isoDate(new Date(now.getMonth() >= 8 ? now.getFullYear() : now.getFullYear() - 1, 8, 1));
  $("#report-end").value = isoDate(now);
  $("#report-month").value = isoDate(now).slice(0, 7);
  options($("#report-school"), state.schools.map((s) => [s.id, s.name]));
  $("#report-school").addEventListener("change", () => openSchool());
  $("#report-class").addEventListener("change", () => openClass());
  ["#report-period", "#report-start", "#report-end", "#report-month", "#report-subject", "#report-as-of",
    "#report-on"].forEach((id) =>
    $(id).addEventListener("change", () => { paperCopy(); if (state.report) load(state.report); }));
  section.querySelectorAll("[data-report]").forEach((button) =>
    button.addEventListener("click", () => load(button.getAttribute("data-report"))));
  $("#report-school-job").addEventListener("click", startSchoolJob);
  await openSchool();
}

async function openSchool() {
  state.school = state.schools.find((s) => s.id === $("#report-school").value) || state.schools[0];
  document.querySelectorAll("#reports [data-admin]").forEach((node) => { node.hidden = !state.school.admin; });
  $("#report-school-job").hidden = !state.school.starter;
  const select = clear($("#report-class"));
  try {
    const classes = await api("GET", "/roster/schools/" + state.school.id + "/classes");
    // A class teacher reports on the classes they lead; the administration and the inspector on all.
    const mine = state.school.admin ? classes : classes.filter((c) => c.class_teacher_id === state.me.person_id);
    options(select, mine.map((c) => [c.id, c.name]));
    if (!mine.length) { show($("#report-status"), "Классов для отчётов нет.", "hint"); return; }
    await openClass();
  } catch (error) {
    show($("#report-status"), error.message, "error");
  }
}

async function openClass() {
  state.klass = $("#report-class").value;
  const periods = clear($("#report-period"));
  options(periods, [["", "Свои даты"]]);
  const subjects = clear($("#report-subject"));
  try {
    const [found, taught] = await Promise.all([
      api("GET", base() + "/classes/" + state.klass + "/periods"),
      api("GET", base() + "/classes/" + state.klass + "/subjects")
    ]);
    options(periods, found.map((p) => [p.period_id, p.name]));
    options(subjects, taught.map((s) => [s.subject_id, s.name]));
    paperCopy();
    if (state.report) await load(state.report);
  } catch (error) {
    show($("#report-status"), error.message, "error");
  }
}

function paperCopy() {
  $("#report-family-summary").href = download(
    base() + "/classes/" + state.klass + "/reports/family-summary" + query({ month: $("#report-month").value }));
  const link = $("#report-paper-copy");
  const subject = $("#report-subject").value;
  link.hidden = !subject;
  if (subject) {
    link.href = download(base() + "/classes/" + state.klass + "/reports/paper-copy" + query({ subject_id: subject, ...period() }));
  }
}

/** the fill control is weekly or monthly: the dates given, or the month up to «По» when they span more. */
function fillDates() {
  const end = $("#report-end").value;
  const start = $("#report-start").value;
  const monthBefore = isoDate(addDays(parseDate(end), -30));
  return { start: start && start >= monthBefore ? start : monthBefore, end };
}

/** The report's path and parameters, by kind. */
function reportPath(kind) {
  if (kind === "summary-sheet") return [base() + "/classes/" + state.klass + "/reports/summary-sheet", period()];
  if (kind === "attendance") return [base() + "/classes/" + state.klass + "/reports/attendance", { month: $("#report-month").value }];
  if (kind === "journal-fill") return [base() + "/reports/journal-fill", fillDates()];
  // the marks changed after the fact from «С» to «По» (the school year so far by default).
  if (kind === "mark-changes") return [base() + "/reports/mark-changes", { start: $("#report-start").value, end: $("#report-end").value }];
  // two weeks before the chosen period ends, or on the day given: the school's and class's.
  if (kind === "preliminary") {
    return [base() + "/classes/" + state.klass + "/reports/preliminary", { period_id: $("#report-period").value, as_of: $("#report-on").value }];
  }
  if (kind === "diary-activity") return [base() + "/classes/" + state.klass + "/reports/diary-activity", fillDates()];
  if (kind === "movement") return [base() + "/reports/movement", period()];
  if (kind === "class-fill") return [base() + "/reports/class-fill", { on: $("#report-on").value }];
  if (kind === "school-activity") return [base() + "/reports/diary-activity", fillDates()];
  const moment = $("#report-as-of").value;
  // the journal as it stood then, rebuilt from the change log; the moment in Moscow time.
  return [base() + "/classes/" + state.klass + "/journal",
    { subject_id: $("#report-subject").value, ...period(), as_of: moment ? moment + ":00+03:00" : "" }];
}

async function load(kind) {
  state.report = kind;
  $("#report-as-of-label").hidden = kind !== "journal";
  $("#report-on-label").hidden = kind !== "preliminary" && kind !== "class-fill";
  document.querySelectorAll("#report-kinds [data-report]").forEach((b) =>
    b.setAttribute("aria-pressed", String(b.getAttribute("data-report") === kind)));
  const [path, params] = reportPath(kind);
  const links = clear($("#report-downloads"));
  clear($("#report-table"));
  if (kind === "preliminary" && !params.period_id) {
    show($("#report-status"), "Выберите отчётный период: предварительный отчёт составляется по нему.", "hint");
    return;
  }
  show($("#report-status"), "Загрузка…", "");
  // Only the last report asked for is shown: an earlier answer arriving later is dropped.
  const turn = (state.turn = (state.turn || 0) + 1);
  try {
    const table = await api("GET", path + query(params));
    if (turn !== state.turn) return;
    render(table);
    show($("#report-status"), table.subtitle.join(" · "), "hint");
    ["xlsx", "pdf", "csv"].forEach((format) => links.appendChild(el("a", {
      "class": "button quiet", download: "", href: download(path + query({ ...params, format })),
      text: "Скачать " + format.toUpperCase()
    })));
  } catch (error) {
    if (turn !== state.turn) return;
    clear($("#report-table"));
    show($("#report-status"), error.message, "error");
  }
}

export function reportCell(value, kind) {
  if (value === null || value === undefined) return "";
  if (kind === "decimal" && typeof value === "number" && !Number.isInteger(value)) {
    return value.toLocaleString("ru-RU", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }
  if (kind === "percent") return value.toLocaleString("ru-RU", { maximumFractionDigits: 1 }) + " %";
  return String(value);
}

function render(table) {
  const node = clear($("#report-table"));
  node.appendChild(el("caption", { "class": "visually-hidden", text: table.title }));
  node.appendChild(el("thead", {}, [el("tr", {}, table.columns.map((c) => el("th", { scope: "col", text: c.title })))]));
  const row = (values, foot) => el("tr", foot ? { "class": "foot" } : {},
    values.map((v, i) => el("td", { text: reportCell(v, table.columns[i].kind) })));
  node.appendChild(el("tbody", {}, [...table.rows.map((r) => row(r, false)), ...table.foot.map((r) => row(r, true))]));
}

/** The school's summary sheets for the period, built in the background; the link appears when done. */
async function startSchoolJob() {
  const status = $("#report-job-status");
  try {
    let job = await api("POST", base() + "/report-jobs",
      { kind: "school-summary-sheets", format: "xlsx", ...period() });
    while (job.status === "queued" || job.status === "running") {
      show(status, job.title + ": готово " + job.progress + " %", "hint");
      await new Promise((resolve) => setTimeout(resolve, 1000));
      job = await api("GET", base() + "/report-jobs/" + job.job_id);
    }
    if (job.status !== "done") { show(status, job.error || "Отчёт не построен.", "error"); return; }
    clear(status).appendChild(el("a", { "class": "button quiet", download: "", href: download("/reporting" + job.download),
      text: "Скачать: " + job.title }));
  } catch (error) {
    show(status, error.message, "error");
  }
}
