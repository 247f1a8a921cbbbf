/* The school administrator's set-up screen: classes, subjects, people (roles, parents, local logins), teaching load. */

import { openAccessLog } from "./accesslog.js";
import { openCompromise } from "./compromise.js";
import { api } from "./api.js";
import { $, el, clear, options, show, isoDate, today, russianDate, pickPeople } from "./dom.js";

/** What the screen has loaded; lists are fetched anew after every change. */
const school = { id: "", classes: [], subjects: [], people: [], everyone: [], staff: [], openClass: null, openPerson: null };
/** Staff roles the administrator grants (contracts.roster.StaffRole). */
const STAFF_ROLES = ["teacher", "class_teacher", "deputy", "director", "secretary", "psychologist", "school_admin"];
/** Role titles in Russian, as the page gives them. */
let roleTitles = {};

/** Field names as the forms label them, for a service's «check the fields» answer. */
const FIELD_TITLES = {
  last_name: "Фамилия", first_name: "Имя", middle_name: "Отчество", birth_date: "Дата рождения",
  snils: "СНИЛС", esia_oid: "Учётная запись ЕСИА", consent: "Согласие", letter: "Буква", grade: "Параллель",
  name: "Название", relation: "Кем приходится"
};

function roster(path) { return "/roster/schools/" + school.id + path; }

function roleTitle(role) { return roleTitles[role] || role; }

/** The problem's detail, or each wrong field by its label with the service's Russian reason where it gives one. */
function problemText(error) {
  if (!error.fields || !error.fields.length) return error.message;
  return "Проверьте: " + error.fields.map((f) => {
    const reason = /[а-яё]/i.test(f.message) ? " — " + f.message.replace(/^Value error, /, "") : "";
    return "«" + (FIELD_TITLES[f.field] || f.field) + "»" + reason;
  }).join("; ") + ".";
}

/** The form's named fields, trimmed; checkboxes as booleans. */
function formData(form) {
  const data = {};
  Array.from(form.elements).forEach((field) => {
    if (field.name && field.type !== "search" && field.type !== "submit") {
      data[field.name] = field.type === "checkbox" ? field.checked : field.value.trim();
    }
  });
  return data;
}

function chosenText(select) { return select.selectedOptions[0].textContent; }

/** Saves through the API, the status line telling what happened; `send` redraws the lists itself. */
async function submit(form, status, send, done) {
  const button = form.querySelector("[type=submit]");
  button.disabled = true;
  show(status, "Сохраняю…", "");
  try {
    show(status, done(await send()), "ok");
  } catch (error) {
    show(status, problemText(error), "error");
  }
  button.disabled = false;
}

function emptyItem(list, text) { list.appendChild(el("li", { "class": "hint", text })); }

export function startAdmin(section) {
  roleTitles = JSON.parse(section.getAttribute("data-role-titles"));
  const picker = $("#admin-school");
  school.id = picker.value;
  picker.addEventListener("change", () => { school.id = picker.value; loadSchool(); });
  section.querySelectorAll(".tab").forEach((tab) => {
    tab.addEventListener("click", () => openTab(tab.getAttribute("data-tab")));
  });
  options($("#role-form").elements.role, STAFF_ROLES.map((r) => [r, roleTitle(r)]));
  listenToClasses();
  listenToPeople();
  $("#subject-form").addEventListener("submit", createSubject);
  $("#load-form").addEventListener("submit", assign);
  loadSchool();
}

function listenToClasses() {
  $("#class-form").addEventListener("submit", createClass);
  $("#enrol-form").addEventListener("submit", enrol);
  $("#enrol-form").elements.enrolled_on.value = isoDate(today());
  $("#close-class").addEventListener("click", () => { school.openClass = null; $("#class-panel").hidden = true; renderClasses(); });
}

function listenToPeople() {
  $("#add-person").addEventListener("click", () => {
    const form = $("#person-form");
    form.hidden = false;
    form.elements.last_name.focus();
  });
  $("#cancel-person").addEventListener("click", () => { $("#person-form").reset(); $("#person-form").hidden = true; });
  $("#person-form").addEventListener("submit", addPerson);
  $("#role-form").addEventListener("submit", grantRole);
  $("#guardian-form").addEventListener("submit", linkGuardian);
  $("#close-person").addEventListener("click", () => { school.openPerson = null; $("#person-panel").hidden = true; renderPeople(); });
  $("#issue-login").addEventListener("click", () => issueLogin(false));
  $("#reset-login").addEventListener("click", () => issueLogin(true));
  $("#revoke-login").addEventListener("click", revokeLogin);
  // The search waits for a pause in typing; only the last one's answer is loaded.
  let searching = 0;
  $("#people-search").addEventListener("input", () => {
    const token = ++searching;
    setTimeout(() => { if (token === searching) loadPeople(); }, 250);
  });
  $("#people-role").addEventListener("change", loadPeople);
}

function openTab(name) {
  document.querySelectorAll("#admin .tab").forEach((tab) => {
    tab.setAttribute("aria-selected", String(tab.getAttribute("data-tab") === name));
  });
  document.querySelectorAll("#admin .tab-panel").forEach((panel) => { panel.hidden = panel.id !== "tab-" + name; });
  if (name === "load") loadAssignments();
  if (name === "access") openAccessLog(school.id, school.everyone);
  if (name === "compromise") openCompromise(school.id, school.everyone);
}

function loadSchool() {
  school.openClass = null;
  school.openPerson = null;
  $("#class-panel").hidden = true;
  $("#person-panel").hidden = true;
  return Promise.all([loadClasses(), loadSubjects(), loadPeople(), loadEveryone(), loadStaff()]);
}

/* Классы */

async function loadClasses() {
  try {
    school.classes = await api("GET", roster("/classes"));
    renderClasses();
    fillLoadForm();
  } catch (error) {
    show($("#class-status"), error.message, "error");
  }
}

function renderClasses() {
  const box = clear($("#class-chips"));
  if (!school.classes.length) {
    box.appendChild(el("p", { "class": "hint", text: "Классов пока нет. Создайте первый: параллель и буква." }));
    return;
  }
  school.classes.forEach((klass) => {
    box.appendChild(el("button", {
      type: "button", "class": "chip" + (school.openClass && school.openClass.id === klass.id ? " active" : ""),
      text: klass.name, title: "Учебный год " + klass.academic_year,
      onclick: () => openClass(klass)
    }));
  });
}

function createClass(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const body = { grade: Number(form.elements.grade.value), letter: form.elements.letter.value.trim() };
  submit(form, $("#class-status"), async () => {
    const klass = await api("POST", roster("/classes"), body);
    form.elements.letter.value = "";
    await loadClasses();
    openClass(klass);
    return klass;
  }, (klass) => "Класс " + klass.name + " создан (" + klass.academic_year + ").");
}

function openClass(klass) {
  school.openClass = klass;
  $("#class-panel").hidden = false;
  $("#class-title").textContent = "Класс " + klass.name + " · " + klass.academic_year;
  show($("#enrol-status"), "", "");
  renderClasses();
  pickPeople($("#enrol-form"), "student_id", enrollable());
  loadClassStudents();
}

/** Whom a class may take: people who are neither staff nor in a class yet. */
function enrollable() {
  // moving a student from another class is a transfer, not an enrolment.
  return school.everyone.filter((p) => !p.roles.length && !p.classes.length);
}

async function loadClassStudents() {
  const klass = school.openClass;
  const list = clear($("#class-students"));
  try {
    const students = await api("GET", roster("/classes/" + klass.id + "/students"));
    if (school.openClass !== klass) return;
    clear(list);
    if (!students.length) emptyItem(list, "В классе пока нет обучающихся. Выберите человека и нажмите «Зачислить».");
    students.forEach((s) => {
      list.appendChild(el("li", {}, [
        el("span", { text: s.name }),
        el("span", { "class": "hint", text: (s.birth_date ? russianDate(s.birth_date) + " · " : "") +
          "зачислен(а) " + russianDate(s.enrolled_on) + (s.has_esia ? "" : " · нет ЕСИА") })
      ]));
    });
  } catch (error) {
    show($("#enrol-status"), error.message, "error");
  }
}

function enrol(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const klass = school.openClass;
  const body = { student_id: form.elements.student_id.value, class_id: klass.id, enrolled_on: form.elements.enrolled_on.value };
  const name = chosenText(form.elements.student_id).split(",")[0];
  submit(form, $("#enrol-status"), async () => {
    await api("POST", roster("/enrolments"), body);
    form.elements.find.value = "";
    await Promise.all([loadClassStudents(), loadPeople(), loadEveryone()]);
    pickPeople(form, "student_id", enrollable());
  }, () => name + " зачислен(а) в " + klass.name + ".");
}

/* Предметы */

async function loadSubjects() {
  try {
    const subjects = await api("GET", roster("/subjects"));
    school.subjects = subjects;
    const list = clear($("#subject-list"));
    if (!subjects.length) emptyItem(list, "Предметов пока нет.");
    subjects.forEach((s) => list.appendChild(el("li", { text: s.name })));
    fillLoadForm();
  } catch (error) {
    show($("#subject-status"), error.message, "error");
  }
}

function createSubject(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const body = { name: form.elements.name.value.trim() };
  submit(form, $("#subject-status"), async () => {
    const subject = await api("POST", roster("/subjects"), body);
    form.reset();
    await loadSubjects();
    return subject;
  }, (subject) => "Предмет «" + subject.name + "» добавлен.");
}

/* Люди */

/** Everyone in the school, for the pickers; the list on the «Люди» tab follows the search instead. */
async function loadEveryone() {
  school.everyone = await api("GET", roster("/people"));
}

async function loadPeople() {
  const query = [];
  const q = $("#people-search").value.trim();
  const role = $("#people-role").value;
  if (q) query.push("q=" + encodeURIComponent(q));
  if (role) query.push("role=" + role);
  try {
    school.people = await api("GET", roster("/people" + (query.length ? "?" + query.join("&") : "")));
    renderPeople();
  } catch (error) {
    show($("#people-status"), error.message, "error");
  }
}

function describe(p) {
  const parts = [];
  if (p.birth_date) parts.push(russianDate(p.birth_date));
  if (p.classes.length) parts.push("обучающийся " + p.classes.join(", "));
  p.roles.forEach((r) => parts.push(roleTitle(r)));
  parts.push(p.has_esia ? "ЕСИА подключена" : "нет ЕСИА");
  return parts.join(" · ");
}

function renderPeople() {
  const list = clear($("#people-list"));
  if (!school.people.length) {
    emptyItem(list, $("#people-search").value || $("#people-role").value ? "Никого не найдено." : "В школе пока никого нет. Нажмите «Добавить человека».");
  }
  school.people.forEach((p) => {
    list.appendChild(el("li", {}, [el("button", {
      type: "button", "class": "row-button" + (school.openPerson && school.openPerson.id === p.id ? " active" : ""),
      onclick: () => openPerson(p)
    }, [el("span", { "class": "person-name", text: p.name }), el("span", { "class": "hint", text: describe(p) })])]));
  });
}

function addPerson(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const data = formData(form);
  const body = { last_name: data.last_name, first_name: data.first_name, consent: data.consent };
  ["middle_name", "birth_date", "snils", "esia_oid"].forEach((key) => { if (data[key]) body[key] = data[key]; });
  submit(form, $("#people-status"), async () => {
    const saved = await api("POST", roster("/people"), body);
    form.reset();
    form.hidden = true;
    await Promise.all([loadPeople(), loadEveryone()]);
    return saved;
  }, (saved) => [saved.last_name, saved.first_name, saved.middle_name].join(" ").trim() + " добавлен(а).");
}

function openPerson(p) {
  school.openPerson = p;
  const panel = $("#person-panel");
  panel.hidden = false;
  $("#person-title").textContent = p.name;
  $("#person-facts").textContent = describe(p);
  show($("#person-status"), "", "");
  renderPeople();
  pickPeople($("#guardian-form"), "guardian_id", school.everyone.filter((other) => other.id !== p.id && !other.classes.length));
  // Parents are linked on the student's card; a staff member is nobody's student here.
  $("#guardians").hidden = p.roles.length > 0 && !p.classes.length;
  $("#staff-roles").hidden = p.classes.length > 0 && !p.roles.length;
  loadGuardians(p);
  loadLocalLogin(p);
  panel.scrollIntoView({ block: "start", behavior: "smooth" });
}

async function loadGuardians(p) {
  const list = clear($("#guardian-list"));
  try {
    const links = await api("GET", roster("/guardianships?student_id=" + p.id));
    if (school.openPerson !== p) return;
    clear(list);
    if (!links.length) emptyItem(list, "Родители не указаны.");
    links.forEach((link) => {
      list.appendChild(el("li", {}, [
        el("span", { text: link.guardian_name }),
        el("span", { "class": "hint", text: link.relation + (link.guardian_has_esia ? "" : " · нет ЕСИА") })
      ]));
    });
  } catch (error) {
    show($("#person-status"), error.message, "error");
  }
}

/** After a change to the open person: the lists anew, and the panel showing the fresh record. */
async function refreshPerson() {
  const id = school.openPerson.id;
  await Promise.all([loadPeople(), loadEveryone(), loadStaff()]);
  const fresh = school.everyone.find((p) => p.id === id);
  if (fresh) {
    school.openPerson = fresh;
    $("#person-facts").textContent = describe(fresh);
    loadGuardians(fresh);
  }
  renderPeople();
}

function grantRole(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const role = form.elements.role.value;
  const p = school.openPerson;
  submit(form, $("#person-status"), async () => {
    await api("POST", roster("/staff-roles"), { person_id: p.id, role });
    await refreshPerson();
  }, () => p.name + ": назначена роль «" + roleTitle(role) + "».");
}

function linkGuardian(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const p = school.openPerson;
  const body = { guardian_id: form.elements.guardian_id.value, student_id: p.id, relation: form.elements.relation.value };
  const guardian = chosenText(form.elements.guardian_id).split(",")[0];
  submit(form, $("#person-status"), async () => {
    await api("POST", roster("/guardianships"), body);
    form.elements.find.value = "";
    form.elements.guardian_id.value = "";
    form.elements.find.oninput();
    await refreshPerson();
  }, () => "Связь сохранена: " + guardian + " — " + body.relation + ".");
}

/* Вход по логину: for people without an account at Госуслуги */

function localLogin(path) { return "/local-logins" + (path || ""); }

function loginButtons(has) {
  $("#issue-login").hidden = has;
  $("#reset-login").hidden = !has;
  $("#revoke-login").hidden = !has;
}

function loginFacts(login) {
  const parts = ["Логин: " + login.login];
  parts.push(login.temporary ? "временный пароль ещё не сменён"
    : "пароль сменён " + russianDate(login.password_set_at.slice(0, 10)));
  if (login.locked_until) parts.push("вход временно закрыт после неудачных попыток");
  return parts.join(" · ");
}

async function loadLocalLogin(p) {
  const facts = $("#login-facts");
  $("#credentials").hidden = true;
  show($("#login-status"), "", "");
  facts.textContent = "Загрузка…";
  ["#issue-login", "#reset-login", "#revoke-login"].forEach((id) => { $(id).hidden = true; });
  try {
    const login = await api("GET", localLogin("/" + p.id));
    if (school.openPerson !== p) return;
    facts.textContent = loginFacts(login);
    loginButtons(true);
  } catch (error) {
    if (school.openPerson !== p) return;
    if (error.status === 404) {
      facts.textContent = p.has_esia ? "Логин не выдан: человек входит через Госуслуги." : "Логин не выдан.";
      loginButtons(false);
    } else {
      facts.textContent = "";
      show($("#login-status"), error.message, "error");
    }
  }
}

/** The login and temporary password, shown once: the administrator hands them over in person. */
function showCredentials(issued) {
  const box = clear($("#credentials"));
  box.appendChild(el("dl", {}, [
    el("dt", { text: "Логин" }), el("dd", { text: issued.login }),
    el("dt", { text: "Временный пароль" }), el("dd", { text: issued.temporary_password })
  ]));
  box.appendChild(el("p", { "class": "hint", text: "Передайте логин и пароль лично в руки, не по почте и не через других " +
    "людей. Пароль показан один раз; при первом входе его нужно сменить." }));
  box.hidden = false;
}

async function issueLogin(reset) {
  const p = school.openPerson;
  if (reset && !window.confirm("Сбросить пароль " + p.name + "? Прежний пароль перестанет действовать, " +
    "открытые сеансы будут завершены.")) return;
  const buttons = [$("#issue-login"), $("#reset-login")];
  buttons.forEach((b) => { b.disabled = true; });
  show($("#login-status"), "Выдаю…", "");
  try {
    const issued = await api("POST", localLogin(), { person_id: p.id });
    await loadLocalLogin(p);
    showCredentials(issued);
    show($("#login-status"), issued.reset ? "Пароль сброшен: выдан новый временный пароль." : "Логин выдан.", "ok");
  } catch (error) {
    show($("#login-status"), error.message, "error");
  }
  buttons.forEach((b) => { b.disabled = false; });
}

async function revokeLogin() {
  const p = school.openPerson;
  if (!window.confirm("Отозвать логин " + p.name + "? Войти по нему будет нельзя, открытые сеансы будут завершены.")) return;
  try {
    await api("DELETE", localLogin("/" + p.id));
    await loadLocalLogin(p);
    show($("#login-status"), "Логин отозван.", "ok");
  } catch (error) {
    show($("#login-status"), error.message, "error");
  }
}

/* Нагрузка */

async function loadStaff() {
  school.staff = await api("GET", roster("/staff"));
  fillLoadForm();
}

/** Refills a select keeping the choice; with nothing to choose, its placeholder says why. */
function fillSelect(select, pairs, empty) {
  const chosen = select.value;
  options(clear(select), [["", pairs.length ? "Выберите" : empty]].concat(pairs));
  select.value = chosen;
}

function fillLoadForm() {
  const form = $("#load-form");
  fillSelect(form.elements.teacher_id, school.staff.filter((s) => s.roles.indexOf("teacher") >= 0)
    .map((s) => [s.person_id, s.name]), "Нет учителей: назначьте роль «учитель» в «Люди»");
  fillSelect(form.elements.subject_id, school.subjects.map((s) => [s.id, s.name]), "Нет предметов");
  fillSelect(form.elements.class_id, school.classes.map((c) => [c.id, c.name]), "Нет классов");
}

function nameOf(list, key, id, field) {
  const found = list.find((item) => item[key] === id);
  return found ? found[field] : "(неизвестно)";
}

/** The load as rows sorted by teacher, then grade, class and subject. */
function loadRows(assignments) {
  return assignments.map((a) => ({
    teacher: nameOf(school.staff, "person_id", a.teacher_id, "name"),
    subject: nameOf(school.subjects, "id", a.subject_id, "name"),
    klass: nameOf(school.classes, "id", a.class_id, "name"),
    grade: (school.classes.find((c) => c.id === a.class_id) || { grade: 99 }).grade
  })).sort((x, y) => x.teacher.localeCompare(y.teacher, "ru") || x.grade - y.grade ||
    x.klass.localeCompare(y.klass, "ru") || x.subject.localeCompare(y.subject, "ru"));
}

async function loadAssignments() {
  const list = $("#load-list");
  try {
    const rows = loadRows(await api("GET", roster("/assignments")));
    clear(list);
    if (!rows.length) emptyItem(list, "Нагрузка пока не назначена.");
    rows.forEach((r) => {
      list.appendChild(el("li", {}, [
        el("span", { text: r.teacher }), el("span", { "class": "hint", text: r.subject + " · " + r.klass })
      ]));
    });
  } catch (error) {
    show($("#load-status"), error.message, "error");
  }
}

function assign(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const body = formData(form);
  const what = chosenText(form.elements.teacher_id) + " · " + chosenText(form.elements.subject_id) + " · " +
    chosenText(form.elements.class_id);
  submit(form, $("#load-status"), async () => {
    await api("POST", roster("/assignments"), body);
    await loadAssignments();
  }, () => "Назначено: " + what + ".");
}
