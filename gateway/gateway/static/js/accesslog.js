/* Журнал доступа: the school administrator reads who of the school read or changed whose data and when,
   filtered by the person who acted, the person it was about and the dates, fifty entries a page. */

import { api } from "./api.js";
import { $, el, clear, show, options, isoDate, today, addDays, localTime } from "./dom.js";

const state = { school: "", page: 1, started: false, turn: 0 };
const RUSSIAN = new Intl.Collator("ru-RU");

/** Opens the tab for ``school`` with its people (the roster's list) to choose from. */
export function openAccessLog(school, people) {
  const changed = state.school !== school;
  state.school = school;
  if (!state.started) {
    state.started = true;
    $("#access-end").value = isoDate(today());
    $("#access-start").value = isoDate(addDays(today(), -6));
    $("#access-form").addEventListener("submit", (event) => { event.preventDefault(); state.page = 1; load(); });
    $("#access-newer").addEventListener("click", () => { state.page -= 1; load(); });
    $("#access-older").addEventListener("click", () => { state.page += 1; load(); });
  }
  if (changed || $("#access-person").options.length === 1) {
    const sorted = [...people].sort((a, b) => RUSSIAN.compare(a.name, b.name)).map((p) => [p.id, p.name]);
    [["#access-person", "все"], ["#access-about", "любые"]].forEach(([id, all]) => {
      options(clear($(id)), [["", all], ...sorted]);
    });
    state.page = 1;
  }
  load();
}

async function load() {
  const turn = ++state.turn;
  const params = {
    person_id: $("#access-person").value, about_id: $("#access-about").value,
    start: $("#access-start").value, end: $("#access-end").value, page: state.page
  };
  const query = Object.entries(params).filter(([, v]) => v).map(([k, v]) => k + "=" + encodeURIComponent(v)).join("&");
  show($("#access-status"), "Загрузка…", "");
  try {
    const found = await api("GET", "/schools/" + state.school + "/access-log?" + query);
    if (turn !== state.turn) return;
    render(found);
  } catch (error) {
    if (turn !== state.turn) return;
    clear($("#access-table"));
    show($("#access-status"), error.message, "error");
  }
}

function render(found) {
  const table = clear($("#access-table"));
  $("#access-newer").hidden = found.page <= 1;
  $("#access-older").hidden = found.page >= found.pages;
  if (!found.entries.length) {
    show($("#access-status"), "За эти дни записей нет.", "hint");
    return;
  }
  show($("#access-status"), "Записей: " + found.total + " · страница " + found.page + " из " + found.pages, "hint");
  table.appendChild(el("caption", { "class": "visually-hidden", text: "Журнал доступа" }));
  table.appendChild(el("thead", {}, [el("tr", {}, ["Когда", "Кто", "Действие", "Раздел", "Чьи данные", "Итог"]
    .map((title) => el("th", { scope: "col", text: title })))]));
  table.appendChild(el("tbody", {}, found.entries.map((entry) => el("tr", {}, [
    el("td", { text: localTime(entry.at) }),
    el("td", { text: entry.who.name }),
    el("td", { text: entry.action }),
    el("td", { text: entry.section }),
    el("td", { text: entry.about.map((a) => a.name).join(", ") || "—" }),
    el("td", { text: entry.outcome })
  ]))));
}
