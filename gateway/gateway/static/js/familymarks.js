/* The family's итоговые отметки and forecast: each subject's period marks as the school lets the family
   see them (within 3 days of being set, or at once), and the expected mark of the period under way with what
   would lift it. */

import { api } from "./api.js";
import { $, el, clear, show, decimal } from "./dom.js";

function neededText(needed) {
  return needed.map((n) => "чтобы выйти на «" + n.target + "», нужно получить " + n.values.join(", ")).join("; ");
}

/** The student's period marks (reporting's diary read model) beside the forecast (the gradebook's). */
export async function loadFamilyMarks(student) {
  const box = $("#family-marks");
  show(box, "Загрузка…", "");
  const path = "/schools/" + student.school_id + "/students/" + student.student_id;
  try {
    const [marks, forecast] = await Promise.all([
      api("GET", "/reporting" + path + "/period-marks"), api("GET", "/gradebook" + path + "/forecast")
    ]);
    clear(box).className = "";
    const bySubject = {};
    marks.subjects.forEach((s) => { bySubject[s.subject] = { marks: s.marks, forecast: null }; });
    forecast.courses.forEach((c) => {
      bySubject[c.subject_name] = bySubject[c.subject_name] || { marks: [], forecast: null };
      bySubject[c.subject_name].forecast = c;
    });
    const subjects = Object.keys(bySubject).sort();
    if (!subjects.length) {
      box.appendChild(el("p", { "class": "hint", text: "Итоговых отметок и прогноза пока нет." }));
      return;
    }
    const rows = subjects.map((name) => {
      const { marks: given, forecast: f } = bySubject[name];
      return el("tr", {}, [
        el("th", { scope: "row", text: name }),
        el("td", { text: given.length ? given.map((m) => m.period_name + ": " + m.text).join(", ") : "—" }),
        el("td", { text: f ? decimal(f.weighted_average) : "—" }),
        el("td", { text: f && f.forecast ? String(f.forecast) + " (" + f.period.name + ")" : "—" }),
        el("td", { "class": "hint", text: f && f.forecast ? neededText(f.needed) : "" })
      ]);
    });
    box.appendChild(el("div", { "class": "journal-scroll", tabindex: "0", role: "region", "aria-label": "Итоговые отметки и прогноз" }, [
      el("table", { "class": "journal pm-table" }, [
        el("thead", {}, [el("tr", {}, ["Предмет", "Итоговые отметки", "Взвеш.", "Прогноз", "Что нужно"].map(
          (text) => el("th", { scope: "col", text })))]),
        el("tbody", {}, rows)
      ])
    ]));
  } catch (error) {
    show(box, error.message, "error");
  }
}

/** The week's period marks in the diary (periods that ended in these days), once the family may see them. */
export function weekPeriodMarks(diary) {
  if (!diary.period_marks || !diary.period_marks.length) return null;
  return el("p", { "class": "period-week", text: "Итоговые отметки: " + diary.period_marks.map(
    (m) => m.subject + ", " + m.period_name + " — " + m.text).join("; ") });
}
