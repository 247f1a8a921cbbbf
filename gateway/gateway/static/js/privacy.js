/* Персональные данные (152-ФЗ): the family's requests for its data and corrections; the office's open requests
   with their deadlines, and the breach register with the people an account reached and the notice to Роскомнадзор. */

import { api, setCsrfToken } from "./api.js";
import { $, el, clear, busy, show, options, russianDate, localTime, plural } from "./dom.js";

const KINDS = { access: "Сведения о персональных данных", correction: "Исправление сведений" };
const STATES = { open: "ожидает ответа", answered: "дан ответ", refused: "отказано" };
const HOW = { named: "просмотрены личные данные", "class": "просмотрен журнал класса", course: "просмотрен журнал по предмету" };

function what(request) {
  if (request.kind === "access") return KINDS.access + ": " + request.subject_name;
  return KINDS.correction + ": " + request.subject_name + ", " + (request.field_title || "") + " → «" + (request.wanted || "") + "»";
}

function deadline(request) {
  const text = "до " + russianDate(request.deadline);
  if (request.status !== "open") return text;
  const left = request.working_days_left;
  return text + (left >= 0 ? " (осталось " + plural(left, "рабочий день", "рабочих дня", "рабочих дней") + ")" : " (просрочен)");
}

function downloads(request) {
  return request.files.map((kind) => el("a", { "class": "button quiet", download: "",
    href: "/api/v1/privacy/requests/" + request.id + "/export." + kind,
    text: kind === "pdf" ? "Скачать выписку (PDF)" : "Скачать данные (JSON)" }));
}

/** The family's requests as a list: read on a phone as easily as on a desktop. */
async function loadMine() {
  const list = clear($("#privacy-my-requests"));
  const mine = await api("GET", "/privacy/requests");
  if (!mine.length) list.appendChild(el("li", { "class": "hint", text: "Запросов пока нет." }));
  mine.forEach((request) => list.appendChild(el("li", {}, [
    el("p", { "class": "note-title", text: what(request) }),
    el("p", { "class": "hint", text: "Подан " + localTime(request.received_at) + "; ответ " + deadline(request) + "; " + STATES[request.status] + "." }),
    request.answer ? el("p", { text: request.answer + " — " + (request.answered_by_name || "") + ", " + localTime(request.answered_at) }) : null,
    el("div", { "class": "chips" }, downloads(request))
  ])));
}

async function startFamily(me) {
  const access = $("#privacy-access");
  access.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(access, async () => {
      const status = $("#privacy-access-status");
      show(status, "Собираем сведения из всех разделов журнала…");
      try {
        await api("POST", "/privacy/requests", { kind: "access" });
        show(status, "Готово: выписка ниже, в списке запросов.", "ok");
        await loadMine();
      } catch (error) { show(status, error.message, "error"); }
    });
  });
  const correction = $("#privacy-correction");
  correction.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(correction, async () => {
      const status = $("#privacy-correction-status");
      const form = new FormData(correction);
      try {
        await api("POST", "/privacy/requests", { kind: "correction", subject_id: form.get("subject_id"),
          field: form.get("field"), value: form.get("value") });
        show(status, "Запрос отправлен в школу.", "ok");
        correction.reset();
        await loadMine();
      } catch (error) { show(status, error.message, "error"); }
    });
  });
  const children = await api("GET", "/diary");
  options($("#privacy-subject"), [[me.person_id, me.name + " (я)"], ...children.map((c) => [c.student_id, c.name])]);
  await loadMine();
}

function school() { return $("#privacy-school").value; }

function answerForm(request) {
  if (request.owner !== "roster") return el("td", { "class": "hint", text: request.kind === "access" ? "" : "Отвечает учитель по обращению" });
  const text = el("input", { name: "text", required: "", maxlength: "2000", "aria-label": "Ответ заявителю" });
  const form = el("form", { "class": "admin-form" }, [
    text,
    el("button", { "class": "button primary", type: "submit", value: "done", text: "Исправить" }),
    el("button", { "class": "button", type: "submit", value: "refused", text: "Отказать" })
  ]);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const outcome = event.submitter ? event.submitter.value : "done";
    busy(form, async () => {
      const status = $("#privacy-answer-status");
      try {
        await api("POST", "/privacy/schools/" + school() + "/requests/" + request.id + "/answer", { outcome, text: text.value });
        show(status, outcome === "done" ? "Сведения исправлены, заявителю дан ответ." : "Заявителю дан отказ.", "ok");
        await loadOpen();
      } catch (error) { show(status, error.message, "error"); }
    });
  });
  return el("td", {}, [form]);
}

async function loadOpen() {
  const body = clear($("#privacy-open-requests tbody"));
  const open = await api("GET", "/privacy/schools/" + school() + "/requests?only_open=true");
  if (!open.length) body.appendChild(el("tr", {}, [el("td", { colspan: "5", "class": "hint", text: "Открытых запросов нет." })]));
  open.forEach((request) => body.appendChild(el("tr", {}, [
    el("td", { text: localTime(request.received_at) }),
    el("td", { text: request.requester_name }),
    el("td", { text: what(request) }),
    el("td", { text: deadline(request) }),
    answerForm(request)
  ])));
}

/** A datetime-local field's value as an instant with the reader's offset, or null. */
function instant(value) { return value ? new Date(value).toISOString() : null; }

async function showBreach(id) {
  const detail = clear($("#privacy-breach-detail"));
  const incident = await api("GET", "/privacy/schools/" + school() + "/breaches/" + id);
  detail.appendChild(el("h3", { text: "Инцидент от " + localTime(incident.detected_at) }));
  detail.appendChild(el("p", { text: incident.description }));
  detail.appendChild(el("p", { text: "Затронуты: " + plural(incident.affected.length, "человек", "человека", "человек") }));
  const rows = incident.affected.map((person) => el("tr", {}, [
    el("td", { text: person.name }), el("td", { text: HOW[person.how] }),
    el("td", { text: localTime(person.first_at) + " — " + localTime(person.last_at) }), el("td", { text: String(person.requests) })
  ]));
  detail.appendChild(el("div", { "class": "table-scroll" }, [el("table", { "class": "grid-table", id: "privacy-affected" }, [
    el("thead", {}, [el("tr", {}, ["ФИО", "Как", "Когда", "Обращений"].map((h) => el("th", { text: h })))]),
    el("tbody", {}, rows)
  ])]));
  detail.appendChild(el("a", { "class": "button", href: "/api/v1/privacy/schools/" + school() + "/breaches/" + id + "/notice.pdf",
    download: "", text: "Уведомление для Роскомнадзора (PDF)" }));
}

async function loadBreaches() {
  const body = clear($("#privacy-breaches tbody"));
  const found = await api("GET", "/privacy/schools/" + school() + "/breaches");
  if (!found.length) body.appendChild(el("tr", {}, [el("td", { colspan: "5", "class": "hint", text: "Инцидентов не записано." })]));
  found.forEach((incident) => body.appendChild(el("tr", {}, [
    el("td", { text: localTime(incident.detected_at) }),
    el("td", { text: incident.description }),
    el("td", { text: localTime(incident.first_notice_due) }),
    el("td", { text: localTime(incident.investigation_due) }),
    el("td", {}, [el("button", { "class": "button quiet", type: "button", text: "Подробнее",
      onclick: () => showBreach(incident.id).catch((error) => show($("#privacy-breach-status"), error.message, "error")) })])
  ])));
}

async function startAdmin() {
  const form = $("#privacy-breach");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(form, async () => {
      const status = $("#privacy-breach-status");
      const data = new FormData(form);
      try {
        const incident = await api("POST", "/privacy/schools/" + school() + "/breaches", {
          detected_at: instant(data.get("detected_at")), description: data.get("description"),
          account_id: data.get("account_id") || null, window_start: instant(data.get("window_start")),
          window_end: instant(data.get("window_end")), measures: data.get("measures") || null, contact: data.get("contact") || null
        });
        show(status, "Инцидент записан. Уведомить Роскомнадзор до " + localTime(incident.first_notice_due) + ".", "ok");
        form.reset();
        await loadBreaches();
        await showBreach(incident.id);
      } catch (error) { show(status, error.message, "error"); }
    });
  });
  const people = await api("GET", "/roster/schools/" + school() + "/people");
  options($("#privacy-account"), people.map((p) => [p.id, p.name]));
  const pick = $("#privacy-school");
  if (pick.tagName === "SELECT") pick.addEventListener("change", () => { loadOpen(); loadBreaches(); });
  await Promise.all([loadOpen(), loadBreaches()]);
}

async function start() {
  try {
    const me = await api("GET", "/me");
    setCsrfToken(me.csrf_token);
    if ($("#privacy-family")) await startFamily(me);
    if ($("#privacy-admin")) await startAdmin();
  } catch (error) {
    const main = document.querySelector("main");
    main.insertBefore(el("p", { "class": "status error", text: error.message }), main.firstChild);
  }
}

start();
