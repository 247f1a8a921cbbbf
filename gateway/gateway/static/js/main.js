/* Электронный журнал: reads the page and starts the screens it holds. Native ES modules, no build step. */

import { api, setCsrfToken } from "./api.js";
import { $, el } from "./dom.js";
import { startJournal } from "./journal.js";
import { startDiary } from "./diary.js";
import { startAdmin } from "./admin.js";
import { startSchoolYear } from "./schoolyear.js";
import { startTeacherDay } from "./teacherday.js";
import { startCommunication } from "./communication.js";

async function start() {
  try {
    const me = await api("GET", "/me");
    setCsrfToken(me.csrf_token);
    const teacher = $("#teacher");
    if (teacher) startJournal(teacher);
    if ($("#family")) startDiary();
    const admin = $("#admin");
    if (admin) startAdmin(admin);
    if ($("#tab-calendar")) startSchoolYear(admin);
    const teacherDay = $("#teacher-day");
    if (teacherDay) startTeacherDay(teacherDay);
    const communication = $("#communication");
    if (communication) startCommunication(communication, me);
  } catch (error) {
    const main = document.querySelector("main");
    main.insertBefore(el("p", { "class": "status error", text: error.message }), main.firstChild);
  }
}

start();
