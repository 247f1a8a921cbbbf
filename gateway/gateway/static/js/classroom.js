/* The class teacher's screen: the class they lead — its attendance by week with reasons, its marks across
   subjects since the school year began, what pupils transferred from another school brought (R-16), and each
   pupil's parents. Read from the pupils' diaries, which a class
   teacher may read for their own class only (R-1). */

import { api } from "./api.js";
import { ABSENCE_MEANINGS } from "./absences.js";
import { loadTranscript, renderTranscript } from "./transcripts.js";
import {
  $, el, clear, show, activateChip, isoDate, addDays, mondayOf, today, dayMonth, russianDate, decimal, plural, weekday
} from "./dom.js";

/** The shown class, its pupils, and the Monday of the shown week. */
const room = { school: null, klass: null, pupils: [], monday: mondayOf(today()) };

function reporting(path) { return "/reporting/schools/" + room.school + path; }

export async function startClassroom(section, me) {
  $("#room-prev").addEventListener("click", () => { room.monday = addDays(room.monday, -7); loadWeek(); });
  $("#room-next").addEventListener("click", () => { room.monday = addDays(room.monday, 7); loadWeek(); });
  const box = $("#room-classes");
  try {
    const schools = JSON.parse(section.getAttribute("data-schools"));
    const found = (await Promise.all(schools.map(async (school) => {
      const classes = await api("GET", "/roster/schools/" + school + "/classes");
      return classes.filter((c) => c.class_teacher_id === me.person_id).map((c) => ({ ...c, school_id: school }));
    }))).flat();
    clear(box);
    if (!found.length) {
      box.appendChild(el("p", { "class": "hint", text: "Классное руководство пока не назначено." }));
      return;
    }
    found.forEach((klass) => box.appendChild(el("button", {
      type: "button", "class": "chip", text: klass.name,
      onclick: (event) => { activateChip(event.currentTarget); openClass(klass); }
    })));
    activateChip(box.firstChild);
    openClass(found[0]);
  } catch (error) {
    show(box, error.message, "error");
  }
}

async function openClass(klass) {
  room.school = klass.school_id;
  room.klass = klass;
  $("#room-body").hidden = false;
  show($("#room-status"), "Загрузка…", "");
  try {
    room.pupils = await api("GET", reporting("/classes/" + klass.id + "/students"));
    show($("#room-status"), room.pupils.length ? "" : "В классе пока нет обучающихся.", "hint");
    renderParents();
    await Promise.all([loadWeek(), loadMarks(), loadTranscripts()]);
  } catch (error) {
    show($("#room-status"), error.message, "error");
  }
}

function pupilName(pupil) { return pupil.name || "(данные ещё загружаются)"; }

/** Each pupil's absences of the week, day by day, with the subject and the reason. */
async function loadWeek() {
  if (!room.klass) return;
  const start = room.monday, days = [0, 1, 2, 3, 4, 5].map((n) => addDays(start, n));
  $("#room-week").textContent = russianDate(isoDate(start)) + " — " + russianDate(isoDate(days[5]));
  const table = $("#room-attendance");
  const period = "?start=" + isoDate(start) + "&end=" + isoDate(addDays(start, 6));
  try {
    const diaries = await Promise.all(room.pupils.map((p) => api("GET", reporting("/students/" + p.student_id + "/diary" + period))));
    clear(table).appendChild(el("caption", { "class": "visually-hidden", text: "Пропуски класса " + room.klass.name + " за неделю" }));
    table.appendChild(el("thead", {}, [el("tr", {}, [el("th", { scope: "col", "class": "name-col", text: "Обучающийся" }),
      ...days.map((d) => el("th", { scope: "col", title: weekday(d), text: dayMonth(d) })),
      el("th", { scope: "col", text: "Всего" })])]));
    const body = el("tbody");
    room.pupils.forEach((pupil, i) => {
      const byDay = Object.fromEntries(diaries[i].days.map((day) => [day.date, day.lessons.filter((l) => l.absence)]));
      let total = 0;
      const cells = days.map((d) => {
        const missed = byDay[isoDate(d)] || [];
        total += missed.length;
        return el("td", {}, missed.map((l) => el("span", {
          "class": "absence", title: l.subject + ": " + ABSENCE_MEANINGS[l.absence.code], text: l.absence.code,
          "aria-label": l.subject + ", " + ABSENCE_MEANINGS[l.absence.code]
        })));
      });
      body.appendChild(el("tr", {}, [el("th", { scope: "row", "class": "name-col", text: pupilName(pupil) }), ...cells,
        el("td", { text: total ? plural(total, "урок", "урока", "уроков") : "—" })]));
    });
    table.appendChild(body);
  } catch (error) {
    clear(table).appendChild(el("caption", { "class": "status error", text: error.message }));
  }
}

/** Each pupil's average per subject since the school year began, and the weighted average of all. */
async function loadMarks() {
  const table = $("#room-marks");
  try {
    const summaries = await Promise.all(room.pupils.map((p) => api("GET", reporting("/students/" + p.student_id + "/summary"))));
    const subjects = Array.from(new Set(summaries.flatMap((s) => s.subjects.map((x) => x.subject))))
      .sort((a, b) => a.localeCompare(b, "ru"));
    clear(table).appendChild(el("caption", { "class": "visually-hidden", text: "Средние баллы класса " + room.klass.name + " по предметам" }));
    table.appendChild(el("thead", {}, [el("tr", {}, [el("th", { scope: "col", "class": "name-col", text: "Обучающийся" }),
      ...subjects.map((s) => el("th", { scope: "col", text: s })), el("th", { scope: "col", text: "Взвеш. по всем" })])]));
    const body = el("tbody");
    room.pupils.forEach((pupil, i) => {
      const bySubject = Object.fromEntries(summaries[i].subjects.map((s) => [s.subject, s]));
      body.appendChild(el("tr", {}, [el("th", { scope: "row", "class": "name-col", text: pupilName(pupil) }),
        ...subjects.map((s) => {
          const found = bySubject[s];
          return el("td", { title: found ? plural(found.marks.length, "отметка", "отметки", "отметок") : "",
            text: found ? decimal(found.weighted_average) : "—" });
        }),
        el("td", { "class": "avg", text: decimal(summaries[i].totals.weighted_average) })]));
    });
    table.appendChild(body);
    if (!subjects.length) show($("#room-marks-note"), "Отметок в этом учебном году пока нет.", "hint");
  } catch (error) {
    show($("#room-marks-note"), error.message, "error");
  }
}

/** the copies pupils transferred from another school brought, read only. */
async function loadTranscripts() {
  const box = $("#room-transcripts");
  box.setAttribute("aria-busy", "true");
  try {
    const copies = await Promise.all(room.pupils.map((p) => loadTranscript(room.school, p.student_id)));
    clear(box);
    room.pupils.forEach((pupil, i) => { if (copies[i]) box.appendChild(renderTranscript(pupilName(pupil), copies[i])); });
    if (!box.firstChild) box.appendChild(el("p", { "class": "hint", text: "В этом учебном году в класс никто не переведён из другой школы." }));
  } catch (error) {
    clear(box).appendChild(el("p", { "class": "status error", text: error.message }));
  } finally {
    box.setAttribute("aria-busy", "false");
  }
}

function renderParents() {
  const list = clear($("#room-parents"));
  room.pupils.forEach((pupil) => list.appendChild(el("li", {}, [
    el("span", { "class": "person-name", text: pupilName(pupil) }),
    el("span", { "class": "hint", text: pupil.guardians.length
      ? pupil.guardians.map((g) => (g.name || "(данные ещё загружаются)") + " (" + g.relation + ")").join(", ")
      : "Родители не указаны" })
  ])));
}
