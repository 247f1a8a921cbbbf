/* The school administrator's journal rules: the edit window and the class teachers (004 app.5 §5.2). */

import { api } from "./api.js";
import { $, el, clear, options, show, busy } from "./dom.js";

let schoolId = "";

export function startRules() {
  const picker = $("#admin-school");
  schoolId = picker.value;
  picker.addEventListener("change", () => { schoolId = picker.value; loadRules(); });
  $("#window-form").addEventListener("submit", saveWindow);
  loadRules();
}

function loadRules() {
  loadWindow();
  loadClassTeachers();
}

async function loadWindow() {
  const form = $("#window-form"), status = $("#window-status");
  try {
    const [choices, policy] = await Promise.all([
      api("GET", "/gradebook/schools/" + schoolId + "/policy/edit-windows"),
      api("GET", "/gradebook/schools/" + schoolId + "/policy")
    ]);
    options(clear(form.elements.edit_window), choices.map((c) => [c.code, c.title]));
    form.elements.edit_window.value = policy.edit_window;
    show(status, policy.updated_at ? "" : "Сейчас действует окно, принятое в регионе по умолчанию.", "hint");
  } catch (error) {
    show(status, error.message, "error");
  }
}

async function saveWindow(event) {
  event.preventDefault();
  const form = event.currentTarget, status = $("#window-status");
  await busy(form, async () => {
    try {
      const policy = await api("PUT", "/gradebook/schools/" + schoolId + "/policy", { edit_window: form.elements.edit_window.value });
      show(status, "Сохранено: " + policy.title + ".", "ok");
    } catch (error) {
      show(status, error.message, "error");
    }
  });
}

/** Each class with its class teacher, chosen among the staff with the role «классный руководитель». */
async function loadClassTeachers() {
  const list = $("#class-teachers"), status = $("#class-teachers-status");
  try {
    const [classes, staff] = await Promise.all([
      api("GET", "/roster/schools/" + schoolId + "/classes"), api("GET", "/roster/schools/" + schoolId + "/staff")
    ]);
    const eligible = staff.filter((p) => p.roles.indexOf("class_teacher") >= 0).map((p) => [p.person_id, p.name]);
    clear(list);
    show(status, !classes.length ? "Классов пока нет: создайте их на вкладке «Классы»." : !eligible.length
      ? "Назначьте сотруднику роль «классный руководитель» на вкладке «Люди», затем выберите его здесь." : "", "hint");
    classes.forEach((klass) => list.appendChild(classTeacherRow(klass, eligible)));
  } catch (error) {
    show(status, error.message, "error");
  }
}

function classTeacherRow(klass, eligible) {
  const select = options(el("select", { name: "teacher_id", required: "" }), [["", "Не назначен"]].concat(eligible));
  select.value = klass.class_teacher_id || "";
  const note = el("span", { "class": "status", role: "status" });
  const form = el("form", { "class": "admin-form" }, [
    el("label", { "class": "grow", text: "Класс " + klass.name }, [select]),
    el("button", { "class": "button primary", type: "submit", text: "Назначить" }), note
  ]);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await busy(form, async () => {
      try {
        await api("POST", "/roster/schools/" + schoolId + "/classes/" + klass.id + "/class-teacher", { teacher_id: select.value });
        show(note, "Назначен: " + select.selectedOptions[0].textContent + ".", "ok");
      } catch (error) {
        show(note, error.message, "error");
      }
    });
  });
  return el("li", {}, [form]);
}
