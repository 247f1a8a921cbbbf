/* Общение: the school's announcements, and how notices reach the person — channels per kind, the
   daily digest, a test message. The notifications service's API; the unread counter is unread.js's. */

import { api } from "./api.js";
import { $, clear, el, russianDate, show } from "./dom.js";

const KINDS = [
  ["mark", "Отметки"], ["absence", "Пропуски"], ["homework", "Домашние задания"],
  ["announcement", "Объявления"], ["message", "Сообщения"], ["alert", "Предупреждения об успеваемости"]
];
const CHANNELS = [["email", "Почта"], ["sms", "СМС"], ["push", "В браузере"]];

function url(schoolId, path) { return "/notifications/schools/" + schoolId + path; }

async function loadAnnouncements(schoolId) {
  const list = clear($("#announcement-list"));
  const items = await api("GET", url(schoolId, "/announcements"));
  if (!items.length) list.appendChild(el("li", { "class": "hint", text: "Объявлений нет." }));
  items.forEach((a) => list.appendChild(el("li", {}, [
    el("div", { "class": "note-title", text: a.title }),
    el("div", { text: a.text }),
    el("div", { "class": "hint", text: a.starts_on === a.ends_on ? russianDate(a.starts_on)
      : "с " + russianDate(a.starts_on) + " по " + russianDate(a.ends_on) })
  ])));
}

function preferencesForm(schoolId, prefs) {
  const form = clear($("#preferences-form"));
  const status = $("#preferences-status");
  const email = el("input", { type: "email", name: "email_address", maxlength: "254", value: prefs.email_address || "" });
  const phone = el("input", { type: "tel", name: "phone", placeholder: "+7XXXXXXXXXX", value: prefs.phone || "" });
  const digest = el("input", { type: "checkbox", name: "digest" });
  digest.checked = prefs.digest;
  const grid = el("table", { "class": "channel-grid" }, [
    el("thead", {}, [el("tr", {}, [el("th", { text: "Уведомления" }), ...CHANNELS.map(([, t]) => el("th", { text: t }))])]),
    el("tbody", {}, KINDS.map(([kind, title]) => el("tr", {}, [
      el("th", { scope: "row", text: title }),
      ...CHANNELS.map(([channel, label]) => {
        const box = el("input", { type: "checkbox", "data-kind": kind, "data-channel": channel,
          "aria-label": title + ": " + label });
        box.checked = (prefs.channels[kind] || []).indexOf(channel) >= 0;
        return el("td", {}, [box]);
      })
    ])))
  ]);
  const save = el("button", { type: "submit", "class": "button primary", text: "Сохранить" });
  const tests = CHANNELS.map(([channel, label]) => el("button", {
    type: "button", "class": "button quiet", text: "Проверить: " + label,
    onclick: async () => {
      try {
        await api("POST", url(schoolId, "/notification-preferences/test"), { channel });
        show(status, "Пробное сообщение отправлено (" + label + ").", "ok");
      } catch (error) { show(status, error.message, "error"); }
    }
  }));
  form.append(
    el("label", {}, [document.createTextNode("Электронная почта "), email]),
    el("label", {}, [document.createTextNode("Телефон для СМС "), phone]),
    el("div", { "class": "journal-scroll" }, [grid]),
    el("label", { "class": "check" }, [digest, document.createTextNode(" Письма раз в день одной сводкой")]),
    el("div", { "class": "actions" }, [save, ...tests])
  );
  form.onsubmit = async (event) => {
    event.preventDefault();
    const channels = {};
    form.querySelectorAll("input[data-kind]").forEach((box) => {
      if (box.checked) (channels[box.dataset.kind] = channels[box.dataset.kind] || []).push(box.dataset.channel);
    });
    try {
      await api("PUT", url(schoolId, "/notification-preferences"), {
        email_address: email.value.trim() || null, phone: phone.value.trim() || null, channels, digest: digest.checked
      });
      show(status, "Настройки сохранены.", "ok");
    } catch (error) { show(status, error.message, "error"); }
  };
}

export async function startCommunication(section, me) {
  const schoolId = me.roles.length ? me.roles[0].school_id : null;
  if (!schoolId) { section.hidden = true; return; }
  try {
    await Promise.all([
      loadAnnouncements(schoolId),
      api("GET", url(schoolId, "/notification-preferences")).then((prefs) => preferencesForm(schoolId, prefs))
    ]);
  } catch (error) {
    show($("#preferences-status"), error.message, "error");
  }
}
