/* Электронный журнал: reads the page and starts the screens it holds. Native ES modules, no build step. */

import { api, setCsrfToken } from "./api.js";
import { $, el, show } from "./dom.js";
import { startJournal } from "./journal.js";
import { startDiary } from "./diary.js";
import { startAdmin } from "./admin.js";
import { startSchoolYear } from "./schoolyear.js";
import { startTeacherDay } from "./teacherday.js";
import { startClassroom } from "./classroom.js";
import { startRules } from "./rules.js";
import { startCommunication } from "./communication.js";
import { startMail } from "./mail.js";
import { startUnread } from "./unread.js";
import { startOffice } from "./office.js";
import { startReports } from "./reports.js";
import { startRegion } from "./region.js";
import { startMunicipalities } from "./municipalities.js";
import { startDestruction } from "./destruction.js";
import { startControl } from "./control.js";
import { startDisputeAnswers } from "./disputes.js";

async function start() {
  try {
    const me = await api("GET", "/me");
    setCsrfToken(me.csrf_token);
    const control = $("#control");
    if (control) startControl(control);
    const disputes = $("#disputes");
    if (disputes) startDisputeAnswers(disputes).then(sectionNav, (error) => {
      disputes.hidden = false;
      show($("#dispute-list"), error.message, "error");
    });
    const teacher = $("#teacher");
    if (teacher) startJournal(teacher, me);
    const classroom = $("#classroom");
    if (classroom) startClassroom(classroom, me);
    if ($("#family")) startDiary(me);
    const admin = $("#admin");
    if (admin) { startAdmin(admin); startRules(); }
    if ($("#tab-calendar")) startSchoolYear(admin);
    const teacherDay = $("#teacher-day");
    if (teacherDay) startTeacherDay(teacherDay);
    if ($("#unread-count")) startUnread(me.roles.length ? me.roles[0].school_id : null).catch(() => {});
    const mailSection = $("#mail");
    if (mailSection) startMail(mailSection, me);
    const office = $("#office");
    if (office) await startOffice(office);
    const reports = $("#reports");
    if (reports) startReports(reports, me);
    const region = $("#region");
    if (region) startRegion(region);
    const municipalities = $("#municipalities");
    if (municipalities) startMunicipalities(municipalities);
    const destruction = $("#destruction");
    if (destruction) startDestruction(destruction);
    const communication = $("#communication");
    if (communication) startCommunication(communication, me);
  } catch (error) {
    const main = document.querySelector("main");
    main.insertBefore(el("p", { "class": "status error", text: error.message }), main.firstChild);
  } finally {
    // The screens' handlers are attached: until then a form would submit natively and reload the page.
    document.documentElement.dataset.started = "true";
    sectionNav();
  }
}

/** «На этой странице»: a start page of several sections (a director's, a class teacher's) lists them at the top,
    so each is one Tab and Enter away. */
function sectionNav() {
  const main = document.querySelector("main");
  const sections = Array.from(main.querySelectorAll(":scope > section.card[id]")).filter((s) => !s.hidden);
  const old = $("#section-nav");
  if (old) old.remove();
  if (sections.length < 3) return;
  const links = sections.map((section) => {
    const heading = section.querySelector("h1, h2");
    return heading ? el("li", {}, [el("a", { href: "#" + section.id, text: heading.textContent })]) : null;
  });
  main.insertBefore(el("nav", { id: "section-nav", "class": "section-nav", "aria-label": "На этой странице" },
    [el("ul", {}, links)]), main.firstChild);
}

/** The diary's offline copy (sw.js); logging out empties it, here too in case the worker is not yet in charge. */
function offlineCopy() {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("/sw.js").catch(() => {});
  const logout = document.querySelector('form[action="/logout"]');
  if (logout) {
    logout.addEventListener("submit", () => {
      if (navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage("forget");
    });
  }
}

offlineCopy();
start();
