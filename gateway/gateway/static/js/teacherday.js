/* The teacher's day: today's lessons in order from the timetable, with room, substitutions and
   whether each is recorded yet (gradebook's /teacher-day). */

import { api } from "./api.js";
import { $, el, clear, isoDate, today } from "./dom.js";

export function startTeacherDay(section) {
  const schools = section.getAttribute("data-schools").split(",").filter(Boolean);
  const pick = $("#teacher-day-pick");
  pick.value = isoDate(today());
  pick.addEventListener("change", () => load(schools, pick.value));
  load(schools, pick.value);
}

async function load(schools, day) {
  const list = clear($("#teacher-day-lessons"));
  try {
    const days = await Promise.all(schools.map((school) => api("GET", "/gradebook/schools/" + school + "/teacher-day?day=" + day)));
    const lessons = days.flat();
    if (!lessons.length) list.appendChild(el("li", { "class": "hint", text: "Уроков в этот день нет." }));
    lessons.forEach((lesson) => list.appendChild(item(lesson)));
  } catch (error) {
    list.appendChild(el("li", { "class": "status error", text: error.message }));
  }
}

function item(lesson) {
  const time = lesson.starts ? lesson.starts.slice(0, 5) + "–" + lesson.ends.slice(0, 5) : "вне расписания";
  const record = lesson.lesson ? "Записан: " + lesson.lesson.topic : lesson.status === "cancelled" ? "" : "Не записан";
  return el("li", { "class": lesson.status === "cancelled" ? "cancelled" : "" }, [
    el("div", { "class": "lesson-head" }, [
      el("strong", { text: (lesson.number ? lesson.number + ". " : "") + lesson.class_name + " · " + lesson.subject_name }),
      el("span", { "class": "hint", text: time + (lesson.room_name ? ", каб. " + lesson.room_name : "") })
    ]),
    lesson.change_note ? el("div", { "class": "change", text: lesson.change_note }) : null,
    record ? el("div", { "class": lesson.lesson ? "topic" : "hint", text: record }) : null
  ]);
}
