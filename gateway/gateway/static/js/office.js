/* The school office: bulk import with its dry-run report and progress, movement and transfers,
   the promotion to the next year with its preview, and people's cards with their history. */

import { api, upload } from "./api.js";
import { $, el, clear, options, show, russianDate } from "./dom.js";
import { openCardConsents, startCardConsents } from "./consents.js";

const office = { id: "", classes: [], people: [], job: null, decisions: new Map() };

const OUTCOMES = [
  ["promoted", "переведён"], ["promoted_conditionally", "условно"], ["repeating", "повторное обучение"],
  ["left", "выбывает"], ["graduated", "выпущен"]
];
const MOVES = {
  enrolled: "зачислен", transferred: "переведён в другой класс", left: "выбыл", transferred_out: "переведён в другую школу",
  transferred_in: "прибыл из другой школы", promoted: "переведён в следующий класс",
  promoted_conditionally: "переведён условно", repeating: "оставлен на повторное обучение", graduated: "выпущен"
};
const FIELDS = {
  last_name: "фамилия", first_name: "имя", middle_name: "отчество", birth_date: "дата рождения", snils: "СНИЛС",
  phone: "телефон", email: "почта", document_kind: "документ", document_number: "серия и номер",
  e_service_refused_on: "отказ от электронной услуги"
};

/** The card's consents block. */
function consentNodes() {
  return { who: $("#consent-who"), list: $("#consent-list"), form: $("#consent-form"), status: $("#consent-status"), history: $("#consent-history") };
}

function roster(path) { return "/roster/schools/" + office.id + path; }

function className(id) {
  const found = office.classes.find((c) => c.id === id);
  return found ? found.name : "";
}

/** The form's filled fields, trimmed; empty ones left out. */
function filled(form) {
  const data = {};
  Array.from(form.elements).forEach((f) => {
    if (f.name && f.name !== "find" && f.type !== "submit" && f.value.trim()) data[f.name] = f.value.trim();
  });
  return data;
}

/** A select of people narrowed by the search box beside it. */
function picker(find, select, people) {
  const fill = () => {
    const words = find.value.toLowerCase().split(/\s+/).filter(Boolean);
    const fitting = people().filter((p) => words.every((w) => p.name.toLowerCase().indexOf(w) >= 0)).slice(0, 200);
    clear(select);
    options(select, [["", fitting.length ? "Выберите (" + fitting.length + ")" : "Никого не найдено"]]
      .concat(fitting.map((p) => [p.id, p.name + (p.classes.length ? " · " + p.classes.join(", ") : "")])));
    if (fitting.length === 1) { select.value = fitting[0].id; select.dispatchEvent(new Event("change")); }
  };
  find.addEventListener("input", fill);
  fill();
  return fill;
}

async function load() {
  const [classes, people] = await Promise.all([api("GET", roster("/classes")), api("GET", roster("/people"))]);
  office.classes = classes;
  office.people = people;
  const to = $("#transfer-form-move").elements.to_class_id;
  clear(to);
  options(to, [["", "Класс"]].concat(classes.map((c) => [c.id, c.name + " (" + c.academic_year + ")"])));
  document.querySelectorAll("#office input[type=search]").forEach((box) => box.dispatchEvent(new Event("input")));
  exportLinks();
  await Promise.all([showIncoming(), showMovements()]);
}

function openTab(name) {
  document.querySelectorAll("#office .tab").forEach((tab) => {
    tab.setAttribute("aria-selected", String(tab.getAttribute("data-tab") === name));
  });
  document.querySelectorAll("#office .tab-panel").forEach((panel) => { panel.hidden = panel.id !== "office-" + name; });
}

/* ---- Bulk import ---- */

function showReport(job) {
  office.job = job;
  $("#import-report").hidden = false;
  $("#import-summary").textContent = "«" + job.filename + "», " + job.kind_title + ": строк " + job.total_rows +
    ", правильных " + job.valid_rows + (job.existing_rows ? " (из них уже есть в школе: " + job.existing_rows + ")" : "") +
    ", ошибок " + job.error_count;
  const table = clear($("#import-errors"));
  if (job.errors.length) {
    table.appendChild(el("thead", {}, [el("tr", {}, ["Строка", "Столбец", "Что не так"].map((t) => el("th", { scope: "col", text: t })))]));
    table.appendChild(el("tbody", {}, job.errors.map((e) =>
      el("tr", {}, [el("td", { text: String(e.row) }), el("td", { text: e.column }), el("td", { text: e.message })]))));
  }
  const applying = job.status === "applying" || job.status === "done";
  $("#import-all").disabled = applying || job.error_count > 0;
  $("#import-valid").disabled = applying || !job.valid_rows;
  const progress = $("#import-progress");
  progress.hidden = job.status === "checked";
  progress.max = Math.max(job.valid_rows, 1);
  progress.value = job.applied_rows;
}

async function follow(jobId) {
  const status = $("#import-status");
  for (;;) {
    const job = await api("GET", roster("/imports/" + jobId));
    showReport(job);
    if (job.status === "done") { show(status, "Загружено строк: " + job.applied_rows + ".", "ok"); await load(); return; }
    if (job.status === "failed") { show(status, job.message, "error"); return; }
    show(status, "Загружаю… " + job.applied_rows + " из " + job.valid_rows, "");
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function apply(mode) {
  const status = $("#import-status");
  if (!$("#import-consent").checked) { show(status, "Подтвердите, что согласия на обработку данных получены.", "error"); return; }
  try {
    showReport(await api("POST", roster("/imports/" + office.job.id + "/apply"), { mode, consent: true }));
    await follow(office.job.id);
  } catch (error) {
    show(status, error.message, "error");
  }
}

function startImport() {
  const form = $("#import-form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = form.elements.file.files[0];
    const status = $("#import-status");
    show(status, "Проверяю файл…", "");
    try {
      const query = "?kind=" + form.elements.kind.value + "&filename=" + encodeURIComponent(file.name);
      showReport(await upload(roster("/imports" + query), file));
      show(status, "Проверка закончена, в школе ничего не изменилось.", "ok");
    } catch (error) {
      show(status, error.message, "error");
    }
  });
  $("#import-all").addEventListener("click", () => apply("all"));
  $("#import-valid").addEventListener("click", () => apply("valid"));
}

/** Downloads in the import's own formats, so a file exported here imports back as it was. */
function exportLinks() {
  const links = clear($("#export-links"));
  [["classes", "Классы"], ["students", "Обучающиеся"], ["parents", "Родители"], ["staff", "Сотрудники"]].forEach(([kind, title]) => {
    ["csv", "xlsx"].forEach((format) => links.appendChild(el("a", {
      "class": "button quiet", href: "/api/v1" + roster("/exports/" + kind + "?format=" + format), text: title + " (" + format.toUpperCase() + ")"
    })));
  });
  links.appendChild(el("a", { "class": "button quiet", href: "/api/v1" + roster("/exports/oneroster"), text: "OneRoster 1.2 (zip)" }));
}

/* ---- Movement ---- */

function students() { return office.people.filter((p) => p.classes.length); }

async function showIncoming() {
  const list = clear($("#incoming-list"));
  const offers = await api("GET", roster("/incoming-transfers"));
  const open = offers.filter((o) => !o.person_id);
  if (!open.length) { list.appendChild(el("li", { "class": "hint", text: "Нет" })); return; }
  open.forEach((offer) => {
    const klass = options(el("select", { "aria-label": "Класс" }), office.classes.map((c) => [c.id, c.name + " (" + c.academic_year + ")"]));
    const order = el("input", { type: "text", size: "8", "aria-label": "Приказ о зачислении №", placeholder: "Приказ №" });
    const accept = el("button", { "class": "button", type: "button", text: "Зачислить", onclick: async () => {
      try {
        await api("POST", roster("/incoming-transfers/" + offer.id + "/accept"), { class_id: klass.value, order_number: order.value.trim() });
        show($("#movement-status"), "Зачислен по переводу.", "ok");
        await load();
      } catch (error) { show($("#movement-status"), error.message, "error"); }
    } });
    list.appendChild(el("li", {}, [
      el("span", { text: offer.person.last_name + " " + offer.person.first_name + " — из «" + offer.source_school_name +
        "», выбыл " + russianDate(offer.left_on) }), klass, order, accept
    ]));
  });
}

async function showMovements() {
  const rows = await api("GET", roster("/movements"));
  const names = new Map(office.people.map((p) => [p.id, p.name]));
  const table = clear($("#movement-list"));
  table.appendChild(el("thead", {}, [el("tr", {}, ["Дата", "Обучающийся", "Движение", "Откуда", "Куда", "Приказ"].map((t) => el("th", { scope: "col", text: t })))]));
  table.appendChild(el("tbody", {}, rows.slice(-200).reverse().map((m) => el("tr", {}, [
    el("td", { text: russianDate(m.moved_on) }), el("td", { text: names.get(m.student_id) || "" }),
    el("td", { text: MOVES[m.kind] || m.kind }), el("td", { text: className(m.from_class_id) || m.other_school_name || "" }),
    el("td", { text: className(m.to_class_id) }), el("td", { text: m.order_number || "" })
  ]))));
}

function startMovement() {
  [["#transfer-form-move", "/movements/transfer", "Перевод оформлен."], ["#leave-form", "/movements/leave", "Выбытие оформлено."]]
    .forEach(([selector, path, done]) => {
      const form = $(selector);
      picker(form.elements.find, form.elements.student_id, students);
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        try {
          await api("POST", roster(path), filled(form));
          show($("#movement-status"), done, "ok");
          form.reset();
          await load();
        } catch (error) { show($("#movement-status"), error.message, "error"); }
      });
    });
}

/* ---- Promotion ---- */

function decisions() {
  return Array.from(office.decisions.entries()).map(([student_id, d]) => ({ student_id, ...d }));
}

function showPreview(preview) {
  $("#promotion-preview").hidden = false;
  const warnings = clear($("#promotion-warnings"));
  preview.warnings.forEach((w) => warnings.appendChild(el("li", { "class": "status error", text: w })));
  const classes = clear($("#promotion-classes"));
  classes.appendChild(el("thead", {}, [el("tr", {}, ["Класс " + preview.to_year, "Из класса", "Учеников", "Подгрупп", "В подгруппах", "Нагрузок", ""].map((t) => el("th", { scope: "col", text: t })))]));
  classes.appendChild(el("tbody", {}, preview.classes.map((c) => el("tr", {}, [
    el("td", { text: c.name }), el("td", { text: c.from_class || "—" }), el("td", { text: String(c.students) }),
    // What goes on with the class from the old year: its subgroups with their pupils, its teaching loads.
    el("td", { text: String(c.subgroups) }), el("td", { text: String(c.members) }), el("td", { text: String(c.loads) }),
    el("td", { text: c.exists ? "уже создан" : "будет создан" })
  ]))));
  const names = new Map(office.people.map((p) => [p.id, p.name]));
  const table = clear($("#promotion-students"));
  table.appendChild(el("thead", {}, [el("tr", {}, ["Обучающийся", "Класс", "Решение", "Куда", "Задолженность (предметы; срок)"].map((t) => el("th", { scope: "col", text: t })))]));
  table.appendChild(el("tbody", {}, preview.students.map((s) => {
    const outcome = options(el("select", { "aria-label": "Решение" }), OUTCOMES);
    outcome.value = s.outcome;
    const subjects = el("input", { type: "text", size: "16", "aria-label": "Предметы с задолженностью", value: s.debt_subjects.join(", ") });
    const deadline = el("input", { type: "date", "aria-label": "Срок ликвидации задолженности", value: s.debt_deadline || "" });
    const remember = () => {
      const d = { outcome: outcome.value };
      if (outcome.value === "promoted_conditionally") {
        d.debt_subjects = subjects.value.split(",").map((x) => x.trim()).filter(Boolean);
        d.debt_deadline = deadline.value || null;
      }
      office.decisions.set(s.student_id, d);
    };
    [outcome, subjects, deadline].forEach((f) => f.addEventListener("change", remember));
    return el("tr", {}, [
      el("td", { text: names.get(s.student_id) || s.student_id }), el("td", { text: s.from_class }),
      el("td", {}, [outcome]), el("td", { text: s.to_class || "—" }), el("td", {}, [subjects, deadline])
    ]);
  })));
  $("#promotion-run").disabled = preview.warnings.length > 0;
}

function startPromotion() {
  const form = $("#promotion-form");
  const status = $("#promotion-status");
  const preview = async () => {
    try {
      showPreview(await api("POST", roster("/promotion/preview"), { from_year: form.elements.from_year.value, decisions: decisions() }));
      show(status, "Это предварительный просмотр: в школе ничего не изменилось.", "ok");
    } catch (error) { show(status, error.message, "error"); }
  };
  form.addEventListener("submit", (event) => { event.preventDefault(); office.decisions.clear(); preview(); });
  $("#promotion-again").addEventListener("click", preview);
  $("#promotion-run").addEventListener("click", async () => {
    if (!window.confirm("Перевести всю школу в следующий учебный год? Отменить перевод нельзя.")) return;
    try {
      const done = await api("POST", roster("/promotion"), { from_year: form.elements.from_year.value, decisions: decisions() });
      show(status, "Перевод выполнен: переведено " + done.totals.promoted + ", выпущено " + done.totals.graduated + ".", "ok");
      $("#promotion-preview").hidden = true;
      await load();
    } catch (error) { show(status, error.message, "error"); }
  });
}

/* ---- Cards ---- */

async function openCard(personId) {
  const card = await api("GET", roster("/people/" + personId));
  $("#card").hidden = false;
  $("#card-title").textContent = [card.last_name, card.first_name, card.middle_name].filter(Boolean).join(" ");
  const form = $("#card-form");
  Object.keys(FIELDS).forEach((name) => { if (form.elements[name]) form.elements[name].value = card[name] || ""; });
  form.elements.reason.value = "";
  $("#refusal-form").elements.refused_on.value = card.e_service_refused_on || "";
  const [history, ended, moves] = await Promise.all([
    api("GET", roster("/people/" + personId + "/history")),
    api("GET", roster("/people/" + personId + "/ended")),
    api("GET", roster("/students/" + personId + "/movements"))
  ]);
  const lines = history.map((h) => [h.changed_at.slice(0, 10), (FIELDS[h.field] || h.title) + ": " + (h.old || "—") + " → " + (h.new || "—") + " (" + (h.reason || "") + ")"])
    .concat(ended.map((e) => [e.ended_on, "прекращено: " + (e.detail.role || e.detail.subject || e.detail.class || "представительство") + " — " + e.reason]))
    .concat(moves.map((m) => [m.moved_on, (MOVES[m.kind] || m.kind) + (m.order_number ? ", приказ № " + m.order_number : "")]));
  await openCardConsents(office.id, personId, consentNodes());
  const list = clear($("#card-history"));
  lines.sort((a, b) => a[0].localeCompare(b[0])).forEach(([day, text]) => list.appendChild(el("li", { text: russianDate(day) + " — " + text })));
  if (!lines.length) list.appendChild(el("li", { "class": "hint", text: "Изменений не было" }));
}

function startCards() {
  const pick = $("#card-pick");
  picker($("#card-find"), pick, () => office.people);
  pick.addEventListener("change", () => { if (pick.value) openCard(pick.value).catch((e) => show($("#card-status"), e.message, "error")); });
  startCardConsents(() => [office.id, pick.value], consentNodes());
  $("#card-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const body = {};
    Array.from(form.elements).forEach((f) => { if (f.name) body[f.name] = f.value.trim() || null; });
    try {
      await api("PATCH", roster("/people/" + pick.value), body);
      show($("#card-status"), "Исправлено, изменение записано в историю.", "ok");
      await openCard(pick.value);
    } catch (error) { show($("#card-status"), error.fields && error.fields.length ? "Проверьте: " + error.fields.map((f) => FIELDS[f.field] || f.field).join(", ") : error.message, "error"); }
  });
  $("#refusal-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("PUT", roster("/people/" + pick.value + "/e-service-refusal"), { refused_on: event.target.elements.refused_on.value || null });
      show($("#card-status"), "Сохранено.", "ok");
      await openCard(pick.value);
    } catch (error) { show($("#card-status"), error.message, "error"); }
  });
}

export function startOffice(section) {
  const school = $("#office-school");
  office.id = school.value;
  section.querySelectorAll(".tab").forEach((tab) => tab.addEventListener("click", () => openTab(tab.getAttribute("data-tab"))));
  startImport();
  startMovement();
  startPromotion();
  startCards();
  school.addEventListener("change", () => { office.id = school.value; load(); });
  const year = new Date().getFullYear();
  $("#promotion-form").elements.from_year.value = (year - 1) + "/" + year;
  return load();
}
