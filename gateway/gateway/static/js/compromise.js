/* Взлом учётной записи: the school administrator blocks an account someone else used (its sessions end at once),
   reads what was done under it since the reported moment, reverts the chosen changes and lifts the block. */

import { api } from "./api.js";
import { $, el, clear, show, localTime, pickPeople, plural } from "./dom.js";

const state = { school: "", started: false, person: "", since: "", operations: [], outcomes: {} };

/** What the revert did to an operation, as the gateway answers it (``OperationRevertOut.outcome``). */
const OUTCOMES = {
  reverted: "Отменено",
  already_reverted: "Уже отменено раньше",
  changed_since: "Не отменено: позже изменил другой сотрудник",
  refused: "Не отменено",
  nothing_to_revert: "Отменять нечего",
  not_revertible: "Не отменяется автоматически"
};

/** Opens the tab for ``school`` with its people (the roster's list) to choose from. */
export function openCompromise(school, people) {
  const form = $("#compromise-form");
  if (state.school !== school || form.elements.person_id.options.length <= 1) {
    state.school = school;
    pickPeople(form, "person_id", people);
    forget();
  }
  if (state.started) return;
  state.started = true;
  form.addEventListener("submit", report);
  form.elements.person_id.addEventListener("change", forget);
  form.elements.find.addEventListener("input", forget);
  $("#compromise-show").addEventListener("click", () => chosen() && load(chosen()));
  $("#compromise-reads").addEventListener("change", render);
  $("#compromise-revert").addEventListener("click", revert);
  $("#compromise-lift").addEventListener("click", lift);
}

function chosen() {
  const person = $("#compromise-form").elements.person_id.value;
  if (!person) show($("#compromise-status"), "Выберите человека, чьей учётной записью воспользовались.", "error");
  return person;
}

/** Another person chosen: the list shown was someone else's. */
function forget() {
  if ($("#compromise-form").elements.person_id.value === state.person) return;
  state.person = "";
  state.operations = [];
  state.outcomes = {};
  $("#compromise-found").hidden = true;
  show($("#compromise-status"), "", "");
}

async function report(event) {
  event.preventDefault();
  const form = event.target;
  const person = chosen();
  if (!person) return;
  const since = new Date(form.elements.since.value);
  if (Number.isNaN(since.getTime())) {
    show($("#compromise-status"), "Укажите день и время, с которого учётной записью пользовался кто-то другой.", "error");
    return;
  }
  const button = form.querySelector("[type=submit]");
  button.disabled = true;
  try {
    const reported = await api("POST", "/compromise", { person_id: person, since: since.toISOString() });
    await load(person);
    show($("#compromise-status"), "Учётная запись заблокирована, завершено сеансов: " + reported.sessions_ended + ".", "ok");
  } catch (error) {
    show($("#compromise-status"), error.message, "error");
  }
  button.disabled = false;
}

async function load(person) {
  show($("#compromise-status"), "Загрузка…", "");
  try {
    const found = await api("GET", "/compromise/" + person + "/operations");
    state.person = person;
    state.since = found.since;
    state.operations = found.operations;
    state.outcomes = {};
    show($("#compromise-status"), "", "");
    render();
  } catch (error) {
    $("#compromise-found").hidden = true;
    show($("#compromise-status"), error.message, "error");
  }
}

function outcomeText(answer) {
  if (!answer) return "";
  const details = answer.records.map((record) => record.detail);
  if (answer.detail) details.unshift(answer.detail);
  return OUTCOMES[answer.outcome] + (details.length ? ". " + details.join(" ") : "");
}

function render() {
  $("#compromise-found").hidden = false;
  const reads = $("#compromise-reads").checked;
  const shown = state.operations.filter((o) => reads || o.method !== "GET" || state.outcomes[o.id]);
  $("#compromise-since").textContent = "Действия под учётной записью с " + localTime(state.since) + ": " +
    plural(shown.length, "действие", "действия", "действий") + (reads ? "." : " (без просмотров).");
  const table = clear($("#compromise-table"));
  $("#compromise-revert").hidden = !state.operations.some((o) => o.revertible);
  if (!shown.length) return;
  table.appendChild(el("caption", { "class": "visually-hidden", text: "Действия под учётной записью" }));
  table.appendChild(el("thead", {}, [el("tr", {}, ["Отменить", "Когда", "Что сделано", "Ответ системы", "Итог отмены"]
    .map((title) => el("th", { scope: "col", text: title })))]));
  table.appendChild(el("tbody", {}, shown.map((operation) => el("tr", { "data-operation": String(operation.id) }, [
    el("td", {}, [operation.revertible
      ? el("input", {
        type: "checkbox",
        value: String(operation.id),
        "aria-label": "Отменить: " + operation.description + ", " + localTime(operation.at)
      })
      : el("span", { "class": "hint", text: "—" })]),
    el("td", { text: localTime(operation.at) }),
    el("td", { text: operation.description }),
    el("td", { text: operation.status < 400 ? "выполнено" : "не выполнено" }),
    el("td", { "class": "outcome", text: outcomeText(state.outcomes[operation.id]) })
  ]))));
}

async function revert() {
  const ids = Array.from(document.querySelectorAll("#compromise-table input:checked"), (box) => Number(box.value));
  if (!ids.length) {
    show($("#compromise-status"), "Отметьте в списке действия, которые нужно отменить.", "error");
    return;
  }
  const button = $("#compromise-revert");
  button.disabled = true;
  show($("#compromise-status"), "Отменяю…", "");
  try {
    const answers = await api("POST", "/compromise/" + state.person + "/revert", { operations: ids });
    answers.forEach((answer) => { state.outcomes[answer.id] = answer; });
    render();
    const done = answers.filter((a) => a.outcome === "reverted").length;
    show($("#compromise-status"), "Отменено " + done + " из " + answers.length + ". Итог каждого — в последнем столбце.",
      done === answers.length ? "ok" : "");
  } catch (error) {
    show($("#compromise-status"), error.message, "error");
  }
  button.disabled = false;
}

async function lift() {
  try {
    await api("DELETE", "/compromise/" + state.person);
    $("#compromise-found").hidden = true;
    state.person = "";
    show($("#compromise-status"), "Блокировка снята: человек снова может войти со своими новыми данными.", "ok");
  } catch (error) {
    show($("#compromise-status"), error.message, "error");
  }
}
