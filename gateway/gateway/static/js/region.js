/* Показатели успеваемости региона for the inspector and the region's administrator, read only:
   by municipality or every school, then a school's parallels and a parallel's subjects; any column sorts
   (names in Russian order), and the same table downloads as XLSX or PDF. Reporting checks who may read it. */

import { api } from "./api.js";
import { $, el, clear, show, options } from "./dom.js";
import { reportCell } from "./reports.js";

const PATH = "/reporting/region/indicators";
const RUSSIAN = new Intl.Collator("ru-RU", { sensitivity: "base", numeric: true });
const state = { drill: [], sort: null, table: null, periods: false, turn: 0 };

function query(params) {
  return "?" + Object.entries(params).filter(([, v]) => v !== "" && v !== null && v !== undefined)
    .map(([k, v]) => k + "=" + encodeURIComponent(v)).join("&");
}

/** The request's parameters: the period chosen, the drill-down so far, and whether to list every school. */
function params() {
  const chosen = $("#region-period").value;
  const [year, period] = chosen ? chosen.split("|") : ["", ""];
  const found = { year, period, by_school: $("#region-by").value === "school" ? "true" : "" };
  state.drill.forEach((step) => Object.assign(found, step.params));
  return found;
}

export function startRegion(section) {
  $("#region-period").addEventListener("change", () => load());
  $("#region-by").addEventListener("change", () => { state.drill = []; load(); });
  section.querySelector("#region-form").addEventListener("submit", (event) => event.preventDefault());
  load();
}

async function load() {
  const turn = ++state.turn;
  show($("#region-status"), "Загрузка…", "");
  try {
    const body = await api("GET", PATH + query(params()));
    if (turn !== state.turn) return;
    if (!state.periods) choosePeriods(body);
    state.table = body;
    state.sort = null;
    render();
    path();
    show($("#region-status"), body.rows.length ? body.subtitle.join(" · ") : "Итоговых отметок за этот период пока нет.", "hint");
    const links = clear($("#region-downloads"));
    if (body.rows.length) {
      ["xlsx", "pdf"].forEach((format) => links.appendChild(el("a", {
        "class": "button quiet", download: "", href: "/api/v1" + PATH + query({ ...params(), format }),
        text: "Скачать " + format.toUpperCase()
      })));
    }
  } catch (error) {
    if (turn !== state.turn) return;
    clear($("#region-table"));
    show($("#region-status"), error.message, "error");
  }
}

function choosePeriods(body) {
  state.periods = true;
  const select = clear($("#region-period"));
  options(select, body.periods.map((p) => [p.year + "|" + p.name, p.name + ", " + p.year]));
  if (body.period) select.value = body.period.year + "|" + body.period.name;
  select.disabled = !body.periods.length;
}

/** The way back up: «Регион» and each level chosen, as buttons. */
function path() {
  const list = clear($("#region-path"));
  const steps = [{ title: "Регион" }, ...state.drill];
  steps.forEach((step, index) => {
    const last = index === steps.length - 1;
    list.appendChild(el("li", {}, [last
      ? el("span", { "aria-current": "page", text: step.title })
      : el("button", { type: "button", "class": "button quiet", text: step.title,
        onclick: () => { state.drill = state.drill.slice(0, index); load(); } })]));
  });
}

/** What a row's title opens at the next level, by the level shown. */
function deeper(level, key, title) {
  if (level === "municipality") return { title, params: { municipality: key } };
  if (level === "school") return { title, params: { school_id: key } };
  if (level === "parallel") return { title, params: { grade: key } };
  return null;
}

function compare(a, b, kind) {
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : 1;
  if (b === null || b === undefined) return -1;
  return kind === "text" ? RUSSIAN.compare(a, b) : a - b;
}

function sortBy(index) {
  const same = state.sort && state.sort.index === index;
  state.sort = { index, ascending: same ? !state.sort.ascending : state.table.columns[index].kind === "text" };
  render();
}

function render() {
  const table = state.table;
  const node = clear($("#region-table"));
  if (!table.rows.length) return;
  node.appendChild(el("caption", { "class": "visually-hidden", text: table.title }));
  const rows = table.rows.map((values, position) => ({ values, key: table.keys[position] }));
  if (state.sort) {
    const { index, ascending } = state.sort;
    const kind = table.columns[index].kind;
    // Nothing to show (no average for the not attested) stays last either way.
    rows.sort((x, y) => {
      const a = x.values[index], b = y.values[index];
      if (a === null || b === null) return compare(a, b, kind);
      return ascending ? compare(a, b, kind) : compare(b, a, kind);
    });
  }
  node.appendChild(el("thead", {}, [el("tr", {}, table.columns.map((column, index) => {
    if (index === 0) return el("th", { scope: "col", text: column.title });
    const sorted = state.sort && state.sort.index === index;
    return el("th", { scope: "col", "aria-sort": sorted ? (state.sort.ascending ? "ascending" : "descending") : "none" }, [
      el("button", { type: "button", "class": "sort", text: column.title + (sorted ? (state.sort.ascending ? " ▲" : " ▼") : ""),
        "aria-label": "Упорядочить по столбцу «" + column.title + "»", onclick: () => sortBy(index) })
    ]);
  }))]));
  const body = rows.map(({ values, key }, position) => {
    const next = deeper(table.level, key, values[1]);
    const title = next
      ? el("button", { type: "button", "class": "link", text: values[1],
        onclick: () => { state.drill.push(next); load(); } })
      : document.createTextNode(values[1]);
    return el("tr", {}, [
      el("td", { text: String(position + 1) }),
      el("td", {}, [title]),
      ...values.slice(2).map((v, i) => el("td", { text: reportCell(v, table.columns[i + 2].kind) }))
    ]);
  });
  const foot = table.foot.map((values) => el("tr", { "class": "foot" },
    values.map((v, i) => el("td", { text: reportCell(v, table.columns[i].kind) }))));
  node.appendChild(el("tbody", {}, [...body, ...foot]));
}
