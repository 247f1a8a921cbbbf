/* Согласия на обработку персональных данных (R-5, 152-ФЗ ст. 9): per purpose, with who signed and on which paper.
   The office records them on a person's card; a family reads its own and its children's in the diary and may
   withdraw a purpose there, which stops that processing at once. */

import { api } from "./api.js";
import { el, clear, options, show, russianDate } from "./dom.js";

function path(schoolId, personId) { return "/roster/schools/" + schoolId + "/people/" + personId + "/consents"; }

/** «дано 01.09.2026: Журналов Пётр, согласие № 42 от 01.09.2026» — what the record rests on. */
function recordText(record) {
  if (!record) return "не записано";
  const action = record.action === "given" ? "дано" : "отозвано";
  const who = [record.signer, record.co_signer].filter(Boolean).map((p) => p.name).join(" вместе с ");
  const paper = record.document_kind
    ? record.document_kind + (record.document_number ? " № " + record.document_number : "") +
      (record.document_date ? " от " + russianDate(record.document_date) : "")
    : "отметка о согласии при вводе данных";
  return action + " " + russianDate(record.recorded_at.slice(0, 10)) + (who ? ": " + who : "") + "; " + paper;
}

function purposeRows(consents, actions) {
  return consents.purposes.map((p) => el("tr", {}, [
    el("th", { scope: "row", text: p.title }),
    el("td", { text: p.granted ? "дано" : "нет" }),
    el("td", { "class": "hint", text: recordText(p.record) }),
    el("td", {}, actions ? actions(p) : [])
  ]));
}

function table(consents, actions) {
  const head = el("tr", {}, ["Цель", "Согласие", "Основание", ""].map((t) => el("th", { scope: "col", text: t })));
  return el("div", { "class": "table-scroll" }, [
    el("table", { "class": "grid-table" }, [el("thead", {}, [head]), el("tbody", {}, purposeRows(consents, actions))])
  ]);
}

/* ---- The office: the card's consents and the form that records a paper ---- */

export async function openCardConsents(schoolId, personId, nodes) {
  const consents = await api("GET", path(schoolId, personId));
  nodes.who.textContent = consents.who_signs ? "Кто подписывает: " + consents.who_signs + "." :
    "Укажите дату рождения обучающегося: от неё зависит, кто даёт согласие.";
  clear(nodes.list).appendChild(table(consents));
  const form = nodes.form;
  options(clear(form.elements.purpose), consents.purposes.map((p) => [p.purpose, p.title]));
  const people = [[consents.person_id, consents.name + " (сам)"]].concat(consents.guardians.map((g) => [g.id, g.name]));
  options(clear(form.elements.signer_id), people);
  options(clear(form.elements.co_signer_id), [["", "—"]].concat(consents.guardians.map((g) => [g.id, g.name])));
  const history = clear(nodes.history);
  consents.history.forEach((r) => history.appendChild(el("li", { text: r.title + " — " + recordText(r) })));
}

export function startCardConsents(current, nodes) {
  nodes.form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const [schoolId, personId] = current();
    const form = event.target;
    const body = {};
    Array.from(form.elements).forEach((f) => { if (f.name) body[f.name] = f.value.trim() || null; });
    try {
      await api("POST", path(schoolId, personId), body);
      form.elements.document_number.value = "";
      await openCardConsents(schoolId, personId, nodes);
      show(nodes.status, body.action === "given" ? "Согласие записано." : "Отзыв записан: эта обработка остановлена.", "ok");
    } catch (error) { show(nodes.status, error.message, "error"); }
  });
}

/* ---- The family: its consents in the diary, with withdrawal ---- */

async function familyBlock(box, schoolId, personId, heading) {
  const consents = await api("GET", path(schoolId, personId));
  const status = el("p", { "class": "status", "aria-live": "polite" });
  const withdraw = (p) => p.may_withdraw ? [el("button", {
    type: "button", "class": "button quiet", text: "Отозвать",
    "aria-label": "Отозвать согласие: " + p.title + " (" + consents.name + ")",
    onclick: async () => {
      if (!window.confirm("Отозвать согласие «" + p.title + "»? Эта обработка остановится сразу, школа получит уведомление.")) return;
      try {
        await api("POST", path(schoolId, personId), { purpose: p.purpose, action: "withdrawn" });
        await loadFamilyConsents(box.student);
        show(box.querySelector(".status") || box, "Согласие «" + p.title + "» отозвано.", "ok");
      } catch (error) { show(status, error.message, "error"); }
    }
  })] : [];
  box.appendChild(el("h3", { text: heading + ": " + consents.name }));
  // A list, not a table: it reads on a phone, where the diary is mostly read.
  box.appendChild(el("ul", { "class": "items" }, consents.purposes.map((p) => el("li", {}, [
    el("span", {}, [el("strong", { text: p.title }), el("span", { text: p.granted ? " — дано" : " — нет" })]),
    el("span", { "class": "hint", text: recordText(p.record) })
  ].concat(withdraw(p))))));
  box.appendChild(status);
}

/** The chosen student's consents and the reader's own (a parent's) in the student's school. */
export async function loadFamilyConsents(student, me) {
  const box = document.getElementById("family-consents");
  if (me) box.me = me;
  box.student = student;
  clear(box).className = "";
  try {
    await familyBlock(box, student.school_id, student.student_id, "Обучающийся");
    const reader = box.me && box.me.person_id;
    if (reader && reader !== student.student_id) await familyBlock(box, student.school_id, reader, "Вы");
  } catch (error) { show(box, error.message, "error"); }
}
