/* Муниципалитеты региона for the region's administrator: the list with each one's schools, a new
   municipality, a new name for one, and a school moved to another. Roster checks who may and refuses bad input. */

import { api } from "./api.js";
import { $, el, clear, show, options, busy, plural } from "./dom.js";

const RUSSIAN = new Intl.Collator("ru-RU", { sensitivity: "base", numeric: true });

export function startMunicipalities(section) {
  const form = section.querySelector("#municipality-form");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(form, async () => {
      const name = $("#municipality-name").value;
      try {
        const made = await api("POST", "/roster/municipalities", { name });
        form.reset();
        await load();
        show($("#municipalities-status"), "Муниципалитет «" + made.name + "» добавлен.", "ok");
      } catch (error) {
        show($("#municipalities-status"), error.message, "error");
      }
    });
  });
  const move = section.querySelector("#school-move-form");
  move.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(move, async () => {
      const school = $("#move-school").value;
      try {
        const moved = await api("PUT", "/roster/schools/" + school + "/municipality",
          { municipality_id: $("#move-municipality").value });
        await load();
        show($("#school-move-status"), "«" + moved.short_name + "» теперь в муниципалитете «" + moved.municipality + "».", "ok");
      } catch (error) {
        show($("#school-move-status"), error.message, "error");
      }
    });
  });
  load();
}

async function load() {
  try {
    const municipalities = await api("GET", "/roster/municipalities");
    const schools = await Promise.all(
      municipalities.map((m) => api("GET", "/roster/municipalities/" + m.id + "/schools")));
    render(municipalities, schools);
    if (!municipalities.length) show($("#municipalities-status"), "Муниципалитетов пока нет.", "hint");
  } catch (error) {
    show($("#municipalities-status"), error.message, "error");
  }
}

function render(municipalities, schools) {
  const list = clear($("#municipality-list"));
  municipalities.forEach((municipality, index) => list.appendChild(item(municipality, schools[index])));
  const every = schools.flat().sort((a, b) => RUSSIAN.compare(a.short_name, b.short_name));
  const school = clear($("#move-school"));
  options(school, every.map((s) => [s.id, s.short_name + " (" + s.municipality + ")"]));
  options(clear($("#move-municipality")), municipalities.map((m) => [m.id, m.name]));
  $("#school-move-form").querySelectorAll("select, button").forEach((node) => { node.disabled = !every.length; });
}

/** One municipality: its name, its schools, and a form for its new name. */
function item(municipality, schools) {
  const names = schools.map((s) => s.short_name).join(", ");
  const field = el("input", { name: "name", value: municipality.name, required: "", maxlength: "200", autocomplete: "off" });
  const status = el("p", { "class": "status", role: "status" });
  const form = el("form", { "class": "admin-form" }, [
    el("label", { "class": "grow" }, [document.createTextNode("Название"), field]),
    el("button", { type: "submit", "class": "button quiet", text: "Переименовать" })
  ]);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(form, async () => {
      try {
        const renamed = await api("PATCH", "/roster/municipalities/" + municipality.id, { name: field.value });
        await load();
        show($("#municipalities-status"), "Муниципалитет переименован: «" + renamed.name + "».", "ok");
      } catch (error) {
        show(status, error.message, "error");
      }
    });
  });
  return el("li", { "class": "municipality", "data-id": municipality.id }, [
    el("div", { "class": "grow" }, [
      el("h3", { text: municipality.name }),
      el("p", { "class": "hint", text: schools.length ? plural(schools.length, "школа", "школы", "школ") + ": " + names : "Школ пока нет." })
    ]),
    form,
    status
  ]);
}
