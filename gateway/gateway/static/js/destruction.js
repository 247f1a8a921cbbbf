/* Уничтожение персональных данных (152-ФЗ ст. 21): the proposals, the confirmation, the runs and their acts. */

import { api } from "./api.js";
import { $, clear, el, options, parseDate, show } from "./dom.js";

const KINDS = {
  journal_record: "записи журнала",
  summary_sheet: "сводные ведомости",
  person_card: "карточка и связи со школой",
  message: "сообщения",
  notification: "уведомления",
  session: "сеансы входа",
  access_log: "журнал доступа",
  import_file: "файлы загрузки",
  export: "выгрузки"
};
const PLACES = {
  roster: "Контингент", gradebook: "Журнал", attendance: "Посещаемость", notifications: "Уведомления",
  reporting: "Дневник и отчёты", gateway: "Учётные записи"
};
const STATUSES = { done: "уничтожено", failed: "не выполнено", pending: "ожидает" };

let school = null;

function russianDate(text) { return parseDate(text).toLocaleDateString("ru-RU"); }

/** «Журнал: записи журнала — 3; …» from service → kind → rows. */
function describe(rows) {
  return Object.entries(rows)
    .filter(([, kinds]) => Object.keys(kinds).length)
    .map(([place, kinds]) => (PLACES[place] || place) + ": " +
      Object.entries(kinds).map(([kind, count]) => (KINDS[kind] || kind) + " — " + count).join(", "))
    .join("; ");
}

export async function startDestruction(section) {
  const schools = JSON.parse(section.getAttribute("data-schools"));
  school = schools[0].id;
  const pick = $("#destruction-school");
  if (pick) {
    options(pick, schools.map((s) => [s.id, s.name]));
    pick.addEventListener("change", () => { school = pick.value; refresh(); });
  }
  await refresh();
}

async function refresh() {
  await Promise.all([loadProposals(), loadRuns()]);
}

async function loadProposals() {
  const list = clear($("#destruction-proposals"));
  try {
    const proposals = await api("GET", "/destruction/schools/" + school + "/proposals");
    if (!proposals.length) list.appendChild(el("li", { "class": "hint", text: "Сейчас нечего уничтожать: сроки хранения не истекли." }));
    proposals.forEach((proposal) => list.appendChild(el("li", { "class": "proposal" }, [
      el("span", {}, [
        el("strong", { text: proposal.name }),
        el("span", { "class": "hint", text: " — сроки истекли " + russianDate(proposal.may_go_from) + ". " + describe(proposal.rows) })
      ]),
      el("button", {
        type: "button",
        "class": "button primary",
        text: "Уничтожить",
        "aria-label": "Уничтожить данные: " + proposal.name,
        onclick: () => confirmOne(proposal)
      })
    ])));
  } catch (error) {
    show($("#destruction-status"), error.message, "error");
  }
}

async function confirmOne(proposal) {
  if (!window.confirm("Уничтожить все персональные данные: " + proposal.name + "? Отменить это нельзя.")) return;
  try {
    const run = await api("POST", "/destruction/schools/" + school + "/runs", { person_id: proposal.person_id });
    show($("#destruction-status"), run.status === "done"
      ? "Данные уничтожены. Акт готов."
      : "Уничтожение не завершено: часть журнала недоступна. Повторите позже.", run.status === "done" ? "ok" : "error");
  } catch (error) {
    show($("#destruction-status"), error.message, "error");
  }
  await refresh();
}

async function retry(run) {
  try {
    const again = await api("POST", "/destruction/schools/" + school + "/runs/" + run.id + "/retry");
    show($("#destruction-status"), again.status === "done" ? "Уничтожение завершено. Акт готов." : "Уничтожение всё ещё не завершено.",
      again.status === "done" ? "ok" : "error");
  } catch (error) {
    show($("#destruction-status"), error.message, "error");
  }
  await refresh();
}

async function loadRuns() {
  const list = clear($("#destruction-runs"));
  try {
    const runs = await api("GET", "/destruction/schools/" + school + "/runs");
    if (!runs.length) list.appendChild(el("li", { "class": "hint", text: "Уничтожений ещё не было." }));
    runs.forEach((run) => {
      const places = Object.entries(run.services)
        .map(([place, outcome]) => (PLACES[place] || place) + " — " + (STATUSES[outcome.status] || outcome.status)).join(", ");
      const action = run.status === "done"
        ? el("a", { "class": "button quiet", href: "/api/v1/destruction/schools/" + school + "/runs/" + run.id + "/act.pdf", download: "", text: "Акт (PDF)" })
        : el("button", { type: "button", "class": "button", text: "Повторить", onclick: () => retry(run) });
      list.appendChild(el("li", { "class": "run" }, [
        el("span", {}, [
          el("strong", { text: run.person_name }),
          el("span", { "class": "hint", text: " — " + (run.status === "done" ? "уничтожено" : "не завершено") +
            ", решение: " + run.confirmed_by_name + ", " + russianDate(run.as_of) + ". " + places })
        ]),
        action
      ]));
    });
  } catch (error) {
    show($("#destruction-status"), error.message, "error");
  }
}
