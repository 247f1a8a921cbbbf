/* Сообщения: the person's conversations with unread counts and search, a conversation with its read
   receipts and a reply, a new message to whom the rules allow (the picker asks the service), the class teacher's
   letter to the parents of the class, and for the school's administrator hiding a message. */

import { api } from "./api.js";
import { $, busy, clear, el, localTime, plural, show } from "./dom.js";
import { markAllRead, refreshUnread, unreadUrl } from "./unread.js";

const mail = { school: null, me: null, open: null, chosen: new Map(), moderator: false };

function url(path) { return unreadUrl(mail.school, path); }

function status(text, kind) { show($("#mail-status"), text, kind); }

function size(bytes) {
  return bytes >= 1048576 ? (bytes / 1048576).toFixed(1).replace(".", ",") + " МБ" : Math.ceil(bytes / 1024) + " КБ";
}

async function loadConversations() {
  const q = $("#mail-search").elements.q.value.trim();
  const list = clear($("#conversation-list"));
  const items = await api("GET", url("/conversations" + (q ? "?q=" + encodeURIComponent(q) : "")));
  if (!items.length) list.appendChild(el("li", { "class": "hint", text: q ? "Ничего не найдено." : "Сообщений пока нет." }));
  items.forEach((c) => {
    const others = c.members.filter((m) => m.id !== mail.me).map((m) => m.name).join(", ");
    list.appendChild(el("li", { "class": c.unread ? "unread" : "read" }, [
      el("button", { type: "button", "class": "link note-title", text: c.subject, onclick: () => openConversation(c.id) }),
      c.unread ? el("span", { "class": "badge unread", text: String(c.unread), "aria-label": "Непрочитанных: " + c.unread }) : null,
      el("div", { "class": "hint", text: others + " · " + localTime(c.last_message_at) })
    ]));
  });
}

function messageItem(m) {
  const own = m.author.id === mail.me;
  const receipts = own && m.read_by.length
    ? "Прочитано: " + m.read_by.map((r) => r.name + " (" + localTime(r.read_at) + ")").join(", ")
    : own ? "Ещё не прочитано" : "";
  const item = el("li", { "class": "message" + (own ? " own" : "") }, [
    el("div", { "class": "hint", text: m.author.name + " · " + localTime(m.created_at) }),
    m.hidden ? el("div", { "class": "hint", text: "Сообщение скрыто администрацией школы." }) : el("div", { "class": "message-body", text: m.body }),
    m.attachments.length ? el("ul", { "class": "attachments" }, m.attachments.map((a) => el("li", { text: "📎 " + a.name + " (" + size(a.size) + ")" }))) : null,
    receipts ? el("div", { "class": "hint receipt", text: receipts }) : null
  ]);
  if (mail.moderator && !m.hidden) {
    item.appendChild(el("button", {
      type: "button", "class": "button quiet", text: "Скрыть",
      onclick: async () => {
        const reason = window.prompt("Почему сообщение скрывается? Причина попадёт в журнал модерации.");
        if (!reason) return;
        try {
          await api("POST", url("/messages/" + m.id + "/hide"), { reason });
          await openConversation(mail.open);
        } catch (error) { status(error.message, "error"); }
      }
    }));
  }
  return item;
}

async function openConversation(id) {
  mail.open = id;
  try {
    await api("POST", url("/conversations/" + id + "/read"));
    const c = await api("GET", url("/conversations/" + id));
    $("#conversation-title").textContent = c.subject;
    $("#conversation-members").textContent = "Участники: " + c.members.map((m) => m.name).join(", ");
    const list = clear($("#message-list"));
    c.messages.forEach((m) => list.appendChild(messageItem(m)));
    $("#conversation").hidden = false;
    $("#compose-form").hidden = true;
    $("#letter-form").hidden = true;
    await Promise.all([loadConversations(), refreshUnread()]);
  } catch (error) { status(error.message, "error"); }
}

function renderChosen() {
  const box = clear($("#chosen"));
  mail.chosen.forEach((name, id) => box.appendChild(el("button", {
    type: "button", "class": "chip active", text: name + " ✕", "aria-label": "Убрать получателя: " + name,
    onclick: () => { mail.chosen.delete(id); renderChosen(); }
  })));
}

async function findContacts() {
  const q = $("#compose-form").elements.find.value.trim();
  const list = clear($("#contacts"));
  const found = await api("GET", url("/conversations/contacts" + (q ? "?q=" + encodeURIComponent(q) : "")));
  if (!found.length) list.appendChild(el("li", { "class": "hint", text: "Некому написать с таким именем." }));
  found.forEach((c) => list.appendChild(el("li", {}, [
    el("button", {
      type: "button", "class": "link", text: c.name, "aria-label": "Добавить получателя: " + c.name,
      onclick: () => { mail.chosen.set(c.id, c.name); renderChosen(); }
    }),
    el("span", { "class": "hint", text: c.role })
  ])));
}

function compose() {
  const form = $("#compose-form");
  form.reset();
  mail.chosen.clear();
  renderChosen();
  form.hidden = false;
  $("#conversation").hidden = true;
  $("#letter-form").hidden = true;
  findContacts().catch((error) => status(error.message, "error"));
}

async function classesILead() {
  const classes = await api("GET", "/roster/schools/" + mail.school + "/classes");
  return classes.filter((c) => c.class_teacher_id === mail.me);
}

export async function startMail(section, me) {
  mail.school = me.roles.length ? me.roles[0].school_id : null;
  mail.me = me.person_id;
  if (!mail.school) { section.hidden = true; return; }
  mail.moderator = me.roles.some((r) => r.school_id === mail.school && r.role === "school_admin");
  $("#read-all").addEventListener("click", async () => {
    try {
      await markAllRead();
      await loadConversations();
      document.querySelectorAll("#notification-list li.unread").forEach((li) => {
        li.className = "read";
        const button = li.querySelector("button");
        if (button) button.remove();
      });
    } catch (error) { status(error.message, "error"); }
  });
  $("#mail-search").addEventListener("submit", (event) => { event.preventDefault(); loadConversations().catch((e) => status(e.message, "error")); });
  $("#compose-open").addEventListener("click", compose);
  $("#close-conversation").addEventListener("click", () => { $("#conversation").hidden = true; mail.open = null; });
  $("#compose-form").elements.find.addEventListener("input", () => findContacts().catch((e) => status(e.message, "error")));
  $("#compose-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    busy(form, async () => {
      if (!mail.chosen.size) { status("Выберите, кому написать.", "error"); return; }
      try {
        const started = await api("POST", url("/conversations"), {
          recipients: Array.from(mail.chosen.keys()), subject: form.elements.subject.value, body: form.elements.body.value
        });
        status("Сообщение отправлено.", "ok");
        await openConversation(started.id);
      } catch (error) { status(error.message, "error"); }
    });
  });
  $("#reply-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    busy(form, async () => {
      try {
        await api("POST", url("/conversations/" + mail.open + "/messages"), { body: form.elements.body.value });
        form.reset();
        await openConversation(mail.open);
      } catch (error) { status(error.message, "error"); }
    });
  });
  try {
    const led = await classesILead().catch(() => []);
    if (led.length) {
      const letter = $("#letter-form");
      const select = clear(letter.elements.class_id);
      led.forEach((c) => select.appendChild(el("option", { value: c.id, text: c.name })));
      $("#letter-open").hidden = false;
      $("#letter-open").addEventListener("click", () => {
        letter.hidden = false;
        $("#compose-form").hidden = true;
        $("#conversation").hidden = true;
      });
      letter.addEventListener("submit", (event) => {
        event.preventDefault();
        busy(letter, async () => {
          try {
            const sent = await api("POST", url("/class-letters"), {
              class_id: letter.elements.class_id.value, subject: letter.elements.subject.value, body: letter.elements.body.value
            });
            letter.reset();
            letter.hidden = true;
            status("Письмо отправлено: " + plural(sent.families, "семья", "семьи", "семей") + ", "
              + plural(sent.parents, "родитель", "родителя", "родителей") + ".", "ok");
            await loadConversations();
          } catch (error) { status(error.message, "error"); }
        });
      });
    }
    await loadConversations();
  } catch (error) { status(error.message, "error"); }
}
