/* Копия из прежней школы: what a pupil transferred from another school of the region brought with them —
   the year's current marks, period marks and absences as the sending school kept them. The receiving school's own
   rows, read only: nothing here writes, and each is marked with the school it came from. */

import { api } from "./api.js";
import { ABSENCE_MEANINGS } from "./absences.js";
import { el, parseDate, dayMonth, russianDate, number } from "./dom.js";

/** The pupil's copy from both services, or null when they brought none. */
export async function loadTranscript(school, student) {
  const path = "/schools/" + school + "/students/" + student + "/transcript";
  const [marks, absences] = await Promise.all([api("GET", "/gradebook" + path), api("GET", "/attendance" + path)]);
  if (!marks.marks.length && !marks.period_marks.length && !absences.length) return null;
  return { marks: marks.marks, periodMarks: marks.period_marks, absences };
}

/** «МБОУ СОШ № 7, 2026/2027 учебный год»: a school the copy came from and the year it covers. */
export function origin(schoolName, year) { return schoolName + ", " + year + " учебный год"; }

function sources(copy) {
  const all = [...copy.marks, ...copy.periodMarks, ...copy.absences];
  return Array.from(new Set(all.map((r) => origin(r.source_school_name, r.academic_year))));
}

function markSpan(mark) {
  const when = dayMonth(parseDate(mark.date));
  return el("span", { "class": "mark m" + mark.value, title: when + ", " + mark.work_type_title,
    "aria-label": mark.value + " за " + when + ", " + mark.work_type_title, text: mark.value });
}

/** One subject's copy, for its journal: each current mark with its date and work type, then the period marks. */
export function subjectCopy(copy, name) {
  const periods = copy.periodMarks.map((p) => p.period_name + ": " + p.text).join("; ");
  const marks = !copy.marks.length ? el("p", { "class": "hint", text: "Текущих отметок по предмету из прежней школы нет." })
    : el("div", { "class": "journal-scroll", tabindex: "0", role: "region", "aria-label": "Отметки из прежней школы: " + name }, [
      el("table", { "class": "journal transcript-table" }, [
        el("caption", { "class": "visually-hidden", text: "Отметки из прежней школы: " + name }),
        el("thead", {}, [el("tr", {}, [el("th", { scope: "col", text: "Дата" }), el("th", { scope: "col", text: "Отметка" }),
          el("th", { scope: "col", text: "Вид работы" })])]),
        el("tbody", {}, copy.marks.map((mark) => el("tr", {}, [
          el("td", { text: russianDate(mark.date) }), el("td", {}, [markSpan(mark)]),
          el("td", { text: mark.work_type_title + ", вес " + number(mark.weight) })
        ])))
      ])
    ]);
  return [marks, el("p", { "class": "period-copy", text: "Итоговые отметки: " + (periods || "нет") })];
}

/** One row per subject: the current marks in date order, then the period marks with their periods. */
function marksTable(copy, name) {
  const subjects = Array.from(new Set([...copy.marks, ...copy.periodMarks].map((r) => r.subject_name)))
    .sort((a, b) => a.localeCompare(b, "ru"));
  if (!subjects.length) return el("p", { "class": "hint", text: "Отметок из прежней школы нет." });
  const body = el("tbody", {}, subjects.map((subject) => el("tr", {}, [
    el("th", { scope: "row", "class": "name-col", text: subject }),
    el("td", {}, [el("span", { "class": "marks" }, copy.marks.filter((m) => m.subject_name === subject).map(markSpan))]),
    el("td", { text: copy.periodMarks.filter((p) => p.subject_name === subject)
      .map((p) => p.period_name + ": " + p.text).join("; ") || "—" })
  ])));
  return el("div", { "class": "journal-scroll", tabindex: "0", role: "region", "aria-label": "Отметки из прежней школы: " + name }, [
    el("table", { "class": "journal transcript-table" }, [
      el("caption", { "class": "visually-hidden", text: "Отметки из прежней школы: " + name }),
      el("thead", {}, [el("tr", {}, [el("th", { scope: "col", "class": "name-col", text: "Предмет" }),
        el("th", { scope: "col", text: "Текущие отметки" }), el("th", { scope: "col", text: "Итоговые отметки" })])]),
      body
    ])
  ]);
}

function absencesList(copy) {
  if (!copy.absences.length) return el("p", { "class": "hint", text: "Пропусков в прежней школе нет." });
  return el("ul", { "class": "items" }, copy.absences.map((a) => el("li", {}, [
    el("span", { text: russianDate(a.date) + " · " + a.subject_name }),
    el("span", { "class": "absence", title: ABSENCE_MEANINGS[a.code], "aria-label": ABSENCE_MEANINGS[a.code], text: a.code })
  ])));
}

/** Where a copy came from (``origin``s), marked as the previous school's: the receiving school's own rows, read only. */
export function fromSchool(origins) {
  return el("p", { "class": "from-school" }, [
    el("span", { "class": "tag", text: "Из прежней школы" }),
    el("span", { text: origins.join("; ") + ". Копия записей прежней школы, только просмотр." })
  ]);
}

/** The copy of one pupil, under their name, marked as the previous school's. */
export function renderTranscript(name, copy) {
  return el("article", { "class": "transcript" }, [
    el("h3", { text: name }),
    fromSchool(sources(copy)),
    el("h4", { text: "Отметки" }),
    marksTable(copy, name),
    el("h4", { text: "Пропуски" }),
    absencesList(copy)
  ]);
}
