/* What the family's diary shows of corrections and what it may say about them: a mark the teacher corrected is
   marked so, a mark may be disputed within 3 days (004 app.8) and the teacher answers it on their start
   page, and the week's homework is listed with its pages, exercises and links, the student's own (individual)
   homework among it. */

import { api } from "./api.js";
import { $, el, busy, localTime, russianDate, show } from "./dom.js";

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

/** One dispute: the mark, who raised it and why, and the answer, or a form to answer it when `answer` is given. */
export function disputeItem(dispute, course, pupil, answer) {
  const title = "Отметка " + dispute.mark_value + " за " + russianDate(dispute.lesson_date) + " — " + course +
    (pupil ? ", " + pupil : "");
  const item = el("li", { "class": "dispute-item" + (dispute.answer === null ? " waiting" : "") }, [
    el("h3", { text: title }),
    el("p", {}, [el("span", { "class": "hint", text: dispute.raised_by_name + ", " + localTime(dispute.raised_at) + ": " }),
      document.createTextNode(dispute.text)])
  ]);
  if (dispute.answer !== null) {
    item.appendChild(el("p", { "class": "answer" }, [
      el("span", { "class": "hint", text: "Ответ — " + dispute.answered_by_name + ", " + localTime(dispute.answered_at) + ": " }),
      document.createTextNode(dispute.answer)]));
  } else if (answer) {
    item.appendChild(answerForm(dispute, title, answer));
  } else {
    item.appendChild(el("p", { "class": "hint", text: "Ждёт ответа учителя." }));
  }
  return item;
}

function answerForm(dispute, title, answer) {
  const id = "answer-" + dispute.id;
  const text = el("textarea", { id, name: "answer", rows: "2", maxlength: "2000", required: "required" });
  const status = el("p", { "class": "status", role: "status" });
  const form = el("form", { "class": "mail-form answer-form", "aria-label": "Ответ: " + title }, [
    el("label", { "for": id, text: "Ответ семье" }), text, status,
    el("button", { type: "submit", "class": "button primary", text: "Ответить" })
  ]);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(form, async () => {
      try {
        await answer(dispute, text.value);
      } catch (error) {
        // The refusal beside the field, the teacher's words kept.
        show(status, error.message, "error");
        text.setAttribute("aria-invalid", "true");
        text.focus();
      }
    });
  });
  return form;
}

/** The teacher's disputes to answer, from their courses: unanswered first; the section shows when there are any. */
export async function startDisputeAnswers(section) {
  const schools = section.getAttribute("data-schools").split(",").filter(Boolean);
  const list = $("#dispute-list");
  const found = (await Promise.all(schools.map(async (school) => {
    const base = "/gradebook/schools/" + school;
    const courses = await api("GET", base + "/courses");
    return (await Promise.all(courses.map(async (course) => {
      const disputes = await api("GET", base + "/courses/" + course.id + "/disputes");
      if (!disputes.length) return [];
      const pupils = await api("GET", base + "/courses/" + course.id + "/students");
      const names = new Map(pupils.map((p) => [p.student_id, p.name]));
      return disputes.map((d) => ({ school, dispute: d, course: course.class_name + " · " + course.subject_name,
        pupil: names.get(d.student_id) }));
    }))).flat();
  }))).flat();
  if (!found.length) return;
  found.sort((a, b) => (a.dispute.answer === null ? 0 : 1) - (b.dispute.answer === null ? 0 : 1));
  const render = (entry) => disputeItem(entry.dispute, entry.course, entry.pupil, async (dispute, text) => {
    entry.dispute = await api("POST", "/gradebook/schools/" + entry.school + "/disputes/" + dispute.id + "/answer",
      { answer: text });
    const done = render(entry);
    done.setAttribute("tabindex", "-1");
    list.replaceChild(done, entry.node);
    entry.node = done;
    done.focus();
  });
  found.forEach((entry) => { entry.node = render(entry); list.appendChild(entry.node); });
  section.hidden = false;
}
