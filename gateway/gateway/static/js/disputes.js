/* What the family's diary shows of corrections and what it may say about them: a mark the teacher corrected is
   marked so, a mark may be disputed within 3 days (004 app.8), and the week's homework is listed with its
   pages, exercises and links, the student's own (individual) homework among it. */

import { api } from "./api.js";
import { el, russianDate, show } from "./dom.js";

/** «испр.» beside a mark its teacher corrected after posting it. */
export function correctedBadge(mark) {
  return mark.corrected ? el("span", { "class": "corrected", title: "Отметка исправлена учителем", text: "испр." }) : null;
}

/** «Оспорить»: the student or a parent says the mark is wrong; the teacher answers in the journal. */
export function disputeButton(schoolId, mark, subject) {
  if (!mark.mark_id) return null;
  return el("button", {
    type: "button", "class": "button quiet dispute", text: "Оспорить",
    "aria-label": "Оспорить отметку " + mark.value + " — " + subject,
    onclick: () => askDispute(schoolId, mark, subject)
  });
}

function askDispute(schoolId, mark, subject) {
  const dialog = el("dialog", { id: "dispute-dialog", "class": "editor", "aria-labelledby": "dispute-title" });
  const text = el("textarea", { id: "dispute-text", rows: "3", maxlength: "2000", required: "required" });
  const status = el("p", { "class": "status", role: "status" });
  const send = el("button", { type: "submit", "class": "button", text: "Отправить учителю" });
  const form = el("form", {}, [
    el("h3", { id: "dispute-title", text: "Отметка " + mark.value + " — " + subject }),
    el("label", { "for": "dispute-text", text: "Что не так с отметкой? Оспорить можно в течение 3 дней после выставления." }),
    text, status,
    el("div", { "class": "editor-foot" }, [
      send, el("button", { type: "button", "class": "button quiet", text: "Закрыть", onclick: () => dialog.close() })
    ])
  ]);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    send.disabled = true;
    try {
      await api("POST", "/gradebook/schools/" + schoolId + "/marks/" + mark.mark_id + "/disputes", { text: text.value });
      show(status, "Обращение отправлено учителю. Ответ придёт в журнал обращений.", "ok");
    } catch (error) {
      send.disabled = false;
      show(status, error.message, "error");
    }
  });
  dialog.appendChild(form);
  dialog.addEventListener("close", () => dialog.remove());
  document.body.appendChild(dialog);
  dialog.showModal();
  text.focus();
}

/** The homework due in the shown week, by due date. */
export function homeworkList(items) {
  if (!items || !items.length) return null;
  return el("section", { "class": "homework-list", "aria-labelledby": "homework-title" }, [
    el("h3", { id: "homework-title", text: "Домашние задания на неделю" }),
    el("ul", {}, items.map((h) => el("li", { "class": "homework" }, [
      el("strong", { text: h.subject_name + ", к " + russianDate(h.due_on) + (h.individual ? " (индивидуальное)" : "") + ": " }),
      document.createTextNode([h.text, h.pages && "страницы: " + h.pages, h.exercises && "упражнения: " + h.exercises]
        .filter(Boolean).join("; ")),
      ...h.links.map((link) => el("a", { href: link, rel: "noopener noreferrer", target: "_blank", text: " " + link }))
    ])))
  ]);
}
