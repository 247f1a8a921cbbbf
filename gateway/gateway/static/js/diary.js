/* The family's screen: a student's diary week by week, and the notifications. */

import { api } from "./api.js";
import { refreshUnread } from "./unread.js";
import { ABSENCE_MEANINGS } from "./absences.js";
import { correctedBadge, disputeButton, homeworkList } from "./disputes.js";
import {
  $, el, clear, show, activateChip, isoDate, parseDate, addDays, mondayOf, weekday, russianDate, localTime, number,
  today
} from "./dom.js";
import { loadFamilyMarks, weekPeriodMarks } from "./familymarks.js";
import { loadFamilyConsents } from "./consents.js";

/** The chosen student, the Monday of the shown week, and work type titles by code. */
const family = { student: null, monday: mondayOf(today()), workTypes: {}, me: null };

export function startDiary(me) {
  family.me = me;
  loadChildren();
  $("#prev-week").addEventListener("click", () => { family.monday = addDays(family.monday, -7); loadWeek(); });
  $("#next-week").addEventListener("click", () => { family.monday = addDays(family.monday, 7); loadWeek(); });
}

/** The students whose diaries the reader may see, as chips; the first is shown. */
async function loadChildren() {
  const box = $("#children");
  try {
    const students = await api("GET", "/diary");
    clear(box);
    if (!students.length) {
      box.appendChild(el("p", { "class": "hint", text: "Дневники пока недоступны: школа ещё не связала вас с обучающимся." }));
      clear($("#notification-list"));
      return;
    }
    students.forEach((student, index) => {
      const label = (student.name || "Обучающийся") + (student.class_name ? ", " + student.class_name : "");
      box.appendChild(el("button", {
        type: "button", "class": "chip" + (index === 0 ? " active" : ""), text: label,
        onclick: (event) => { activateChip(event.currentTarget); chooseStudent(student); }
      }));
    });
    chooseStudent(students[0]);
  } catch (error) {
    show(box, error.message, "error");
  }
}

function chooseStudent(student) {
  family.student = student;
  loadWorkTypes(student.school_id).then(loadWeek);
  loadFamilyMarks(student);
  loadFamilyConsents(student, family.me);
  loadNotifications(student.school_id);
}

async function loadWorkTypes(schoolId) {
  try {
    const types = await api("GET", "/gradebook/schools/" + schoolId + "/work-types");
    types.forEach((w) => { family.workTypes[w.code] = w.title; });
  } catch {
    // The titles are a nicety; without them the codes still show.
  }
}

async function loadWeek() {
  const start = family.monday, end = addDays(start, 6);
  $("#week-title").textContent = russianDate(isoDate(start)) + " — " + russianDate(isoDate(end));
  const box = $("#diary");
  show(box, "Загрузка…", "");
  const path = "/diary/" + family.student.student_id + "?start=" + isoDate(start) + "&end=" + isoDate(end);
  try {
    const diary = await api("GET", path);
    renderWeek(clear(box), diary);
    const periodMarks = weekPeriodMarks(diary);
    if (periodMarks) box.insertBefore(periodMarks, box.firstChild);
    if (diary.offline) {
      box.insertBefore(el("p", { "class": "status error", text:
        "Нет связи с сервером: показана неделя, загруженная последней. Она обновится, когда связь вернётся." }),
      box.firstChild);
    }
  } catch (error) {
    show(box, error.message, "error");
  }
}

/** the school's and the class's announcements of the week, above its days. */
function weekAnnouncements(items) {
  return el("section", { "class": "week-announcements", "aria-label": "Объявления недели" }, [
    el("h3", { text: "Объявления" }),
    el("ul", { "class": "notifications" }, items.map((a) => el("li", {}, [
      el("div", { "class": "note-title", text: a.title }),
      el("div", { text: a.text }),
      el("div", { "class": "hint", text: (a.class_id ? "Для класса, " : "Для всей школы, ") + (a.starts_on === a.ends_on
        ? russianDate(a.starts_on) : "с " + russianDate(a.starts_on) + " по " + russianDate(a.ends_on)) })
    ])))
  ]);
}

function renderWeek(box, diary) {
  if (diary.announcements && diary.announcements.length) box.appendChild(weekAnnouncements(diary.announcements));
  const days = diary.days.filter((day) => day.lessons.length);
  const homework = homeworkList(diary.homework);
  if (homework) box.appendChild(homework);
  if (!days.length) {
    box.appendChild(el("p", { "class": "hint", text: "На этой неделе записей нет." }));
    return;
  }
  days.forEach((day) => {
    const date = parseDate(day.date);
    const list = el("ol", { "class": "lessons" }, day.lessons.map(diaryLesson));
    box.appendChild(el("div", { "class": "day" }, [el("h3", { text: weekday(date) + ", " + russianDate(day.date) }), list]));
  });
}

function diaryLesson(item) {
  const marks = el("span", { "class": "marks" });
  item.marks.forEach((m) => {
    const title = m.work_type_title || family.workTypes[m.work_type] || m.work_type;
    marks.appendChild(el("span", { "class": "mark-item", title: title + ", вес " + number(m.weight) }, [
      el("span", { "class": "mark m" + m.value, text: m.value }), el("span", { "class": "work", text: title }),
      correctedBadge(m), disputeButton(family.student.school_id, m, item.subject)
    ]));
  });
  if (item.absence) {
    const meaning = ABSENCE_MEANINGS[item.absence.code] || "";
    marks.appendChild(el("span", { "class": "mark-item", title: "Пропуск: " + item.absence.code + " — " + meaning }, [
      el("span", { "class": "absence", text: item.absence.code }), el("span", { "class": "work", text: meaning })
    ]));
  }
  // the timetable's number, time and room, and the change of the day (a cancellation, a substitute).
  const when = item.number ? item.number + "-й урок, " + item.starts.slice(0, 5) + "–" + item.ends.slice(0, 5) + (item.room ? ", каб. " + item.room : "") : "";
  return el("li", { "class": item.status === "cancelled" ? "cancelled" : "" }, [
    el("div", { "class": "lesson-head" }, [
      el("span", {}, [el("strong", { text: item.subject }), when ? el("span", { "class": "when", text: " " + when }) : null]), marks
    ]),
    item.change ? el("div", { "class": "change", text: item.change }) : null,
    item.topic ? el("div", { "class": "topic", text: "Тема: " + item.topic }) : null,
    item.homework ? el("div", { "class": "homework", text: "Домашнее задание: " + item.homework }) : null
  ]);
}

function notifications(schoolId, path) { return "/notifications/schools/" + schoolId + "/notifications" + path; }

async function loadNotifications(schoolId) {
  const list = $("#notification-list");
  try {
    const items = await api("GET", notifications(schoolId, ""));
    clear(list);
    if (!items.length) {
      list.appendChild(el("li", { "class": "hint", text: "Новых уведомлений нет." }));
      return;
    }
    items.forEach((n) => list.appendChild(notificationItem(schoolId, n)));
  } catch (error) {
    clear(list).appendChild(el("li", { "class": "status error", text: error.message }));
  }
}

function notificationItem(schoolId, n) {
  const item = el("li", { "class": n.read_at ? "read" : "unread" }, [
    el("div", { "class": "note-title", text: n.title }),
    n.body ? el("div", { text: n.body }) : null,
    el("time", { "class": "hint", datetime: n.created_at, text: localTime(n.created_at) })
  ]);
  if (!n.read_at) {
    item.appendChild(el("button", {
      type: "button", "class": "button quiet", text: "Прочитано", "aria-label": "Прочитано: " + n.title,
      onclick: async (event) => {
        const button = event.currentTarget;
        try {
          await api("POST", notifications(schoolId, "/" + n.id + "/read"));
          item.className = "read";
          button.remove();
          await refreshUnread();
        } catch (error) {
          button.textContent = error.message;
        }
      }
    }));
  }
  return item;
}
