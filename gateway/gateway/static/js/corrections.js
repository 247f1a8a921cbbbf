/* Corrections in the teacher's journal: deleting a mark with a reason, undoing an entry right after
   it was made, and moving a mark to another work type. Each goes to the gradebook, which checks the edit window
   and logs who, when, what and why; a refusal comes back in Russian and is shown beside the cell. */

import { api } from "./api.js";
import { $, el, options, show } from "./dom.js";

/** The reason an undone entry is logged with. */
export const UNDO_REASON = "Ошибочный ввод, отменено сразу после ввода";
/** How long the «Отменить» button stays beside a saved entry. */
const UNDO_SECONDS = 15;

function gradebook(schoolId, path) { return "/gradebook/schools/" + schoolId + path; }

export function deleteMark(schoolId, mark, reason) {
  return api("DELETE", gradebook(schoolId, "/marks/" + mark.id), { reason });
}

export function changeWorkType(schoolId, mark, workType) {
  return api("PATCH", gradebook(schoolId, "/marks/" + mark.id + "/work-type"), { work_type: workType });
}

/** Asks why in a dialog of its own; resolves to the reason, or null when the teacher changes their mind. */
export function askReason(question) {
  return new Promise((resolve) => {
    const dialog = el("dialog", { id: "reason-dialog", "class": "editor", "aria-labelledby": "reason-title" });
    const input = el("input", {
      id: "reason-input", type: "text", required: "required", minlength: "3", maxlength: "500", autocomplete: "off"
    });
    const form = el("form", { method: "dialog" }, [
      el("h3", { id: "reason-title", text: question }),
      el("label", { "for": "reason-input", text: "Причина (сохранится в журнале изменений)" }),
      input,
      el("div", { "class": "editor-foot" }, [
        el("button", { type: "submit", "class": "button", value: "ok", text: "Удалить" }),
        el("button", { type: "button", "class": "button quiet", text: "Отмена", onclick: () => dialog.close("") })
      ])
    ]);
    dialog.appendChild(form);
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve(dialog.returnValue === "ok" ? input.value.trim() : null);
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    input.focus();
  });
}

/** «Отменить» beside the journal's note for a few seconds after an entry; `undo` returns a promise. */
export function offerUndo(text, undo) {
  const note = $("#journal-note");
  show(note, text + " ", "ok");
  const button = el("button", { type: "button", "class": "button quiet", id: "undo-entry", text: "Отменить" });
  const timer = setTimeout(() => button.remove(), UNDO_SECONDS * 1000);
  button.addEventListener("click", () => {
    clearTimeout(timer);
    button.disabled = true;
    undo().then(() => show(note, "Ввод отменён", "ok"), (error) => show(note, error.message, "error"));
  });
  note.appendChild(button);
}

/** In a cell's dialog, for one mark: another work type (its weight follows), and deleting it with a reason. */
export function markCorrections(mark, workTypes, { onWorkType, onDelete }) {
  const kinds = workTypes.filter((w) => w.pass_fail === workTypes.find((k) => k.code === mark.work_type)?.pass_fail);
  const select = options(el("select", { "aria-label": "Вид работы отметки " + mark.value }),
    kinds.map((w) => [w.code, w.title + " (вес " + String(w.weight).replace(".", ",") + ")"]));
  select.value = mark.work_type;
  const status = el("p", { "class": "status", role: "status" });
  const act = (promise) => promise.catch((error) => show(status, error.message, "error"));
  return el("div", { "class": "mark-corrections" }, [
    select,
    el("button", {
      type: "button", "class": "button quiet", text: "Изменить вид работы",
      onclick: () => { if (select.value !== mark.work_type) act(onWorkType(select.value)); }
    }),
    el("button", {
      type: "button", "class": "button quiet remove", text: "Удалить отметку " + mark.value,
      onclick: () => act(onDelete())
    }),
    status
  ]);
}
