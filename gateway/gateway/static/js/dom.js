/* Small DOM helpers and Russian date and number formatting. */

const WEEKDAYS = ["Воскресенье", "Понедельник", "Вторник", "Среда", "Четверг", "Пятница", "Суббота"];
const MONTHS = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"];

export function $(selector) { return document.querySelector(selector); }

/** An element with attributes (`text` sets its text, `on…` adds a listener) and children (nulls skipped). */
export function el(tag, attrs, children) {
  const node = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([key, value]) => {
    if (key === "text") node.textContent = value;
    else if (key.slice(0, 2) === "on") node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  });
  (children || []).forEach((child) => { if (child) node.appendChild(child); });
  return node;
}

export function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }

/** Appends an option for each [value, label] pair. */
export function options(select, pairs) {
  pairs.forEach(([value, label]) => select.appendChild(el("option", { value, text: label })));
  return select;
}

export function show(node, text, kind) {
  node.textContent = text;
  node.className = "status " + (kind || "");
}

/** Marks the chip as the chosen one among its siblings. */
export function activateChip(chip) {
  Array.from(chip.parentNode.children).forEach((c) => c.classList.remove("active"));
  chip.classList.add("active");
}

function pad(n) { return (n < 10 ? "0" : "") + n; }

export function isoDate(day) { return day.getFullYear() + "-" + pad(day.getMonth() + 1) + "-" + pad(day.getDate()); }

/** A service's YYYY-MM-DD as a local midnight (not UTC, which `new Date(text)` would give). */
export function parseDate(text) {
  const [year, month, day] = text.split("-");
  return new Date(+year, +month - 1, +day);
}

/** The school's today as the gateway's clock gives it on the page (a reader's own clock may be wrong or elsewhere). */
export function today() {
  const given = document.body.dataset.today;
  if (given) return parseDate(given);
  const now = new Date();
  return new Date(now.getFullYear(), now.getMonth(), now.getDate());
}

export function addDays(day, days) { const d = new Date(day); d.setDate(d.getDate() + days); return d; }

export function mondayOf(day) { return addDays(day, -((day.getDay() + 6) % 7)); }

export function weekday(day) { return WEEKDAYS[day.getDay()]; }

export function humanDate(day) { return day.getDate() + " " + MONTHS[day.getMonth()]; }

export function dayMonth(day) { return pad(day.getDate()) + "." + pad(day.getMonth() + 1); }

export function russianDate(iso) { return iso ? dayMonth(parseDate(iso)) + "." + iso.slice(0, 4) : ""; }

/** A moment the service gives in UTC, as the clock on the reader's wall shows it. */
export function localTime(iso) {
  const moment = new Date(iso);
  return dayMonth(moment) + "." + moment.getFullYear() + ", " + pad(moment.getHours()) + ":" + pad(moment.getMinutes());
}

/** «1 отметка», «2 отметки», «5 отметок»: the Russian plural form for the count. */
export function plural(count, one, few, many) {
  const tens = count % 100, units = count % 10;
  const form = tens >= 11 && tens <= 14 ? many : units === 1 ? one : units >= 2 && units <= 4 ? few : many;
  return count + " " + form;
}

/** Runs `work` with the form's buttons disabled, and not at all while it is already running (a double click). */
export async function busy(form, work) {
  if (form.dataset.busy) return;
  form.dataset.busy = "1";
  const buttons = Array.from(form.querySelectorAll("button, [type=submit]"));
  buttons.forEach((b) => { b.disabled = true; });
  try {
    await work();
  } finally {
    delete form.dataset.busy;
    buttons.forEach((b) => { b.disabled = false; });
  }
}

export function number(value) { return Number(value).toLocaleString("ru-RU"); }

export function decimal(value) {
  if (value === null || value === undefined) return "—";
  return value.toLocaleString("ru-RU", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

/** A select of people that narrows as the user types into the search box beside it. */
export function pickPeople(form, fieldName, people) {
  const find = form.elements.find;
  const select = form.elements[fieldName];
  const fill = () => {
    const words = find.value.toLowerCase().split(/\s+/).filter(Boolean);
    const chosen = select.value;
    const fitting = people.filter((p) => words.every((w) => p.name.toLowerCase().indexOf(w) >= 0));
    clear(select);
    options(select, [["", fitting.length ? "Выберите (" + fitting.length + ")" : "Никого не найдено"]].concat(
      fitting.map((p) => [p.id, p.name + (p.birth_date ? ", " + russianDate(p.birth_date) : "") +
        (p.classes.length ? " · " + p.classes.join(", ") : "")])));
    select.value = fitting.some((p) => p.id === chosen) ? chosen : (fitting.length === 1 ? fitting[0].id : "");
  };
  find.oninput = fill;
  fill();
}
