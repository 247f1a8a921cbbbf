/* The one unread counter: unread notices and unread messages together, in the page's header and in the
   tab's title, the same number everywhere. Every screen that reads or marks something asks it to refresh. */

import { api } from "./api.js";
import { $ } from "./dom.js";

let counted = null;

export function unreadUrl(schoolId, path) { return "/notifications/schools/" + schoolId + path; }

/** Starts counting for the school the inbox belongs to (the first school of the person). */
export function startUnread(schoolId) {
  counted = schoolId;
  return refreshUnread();
}

export async function refreshUnread() {
  if (!counted) return null;
  const counts = await api("GET", unreadUrl(counted, "/notifications/unread-count"));
  const badge = $("#unread-count");
  if (badge) {
    badge.hidden = false;
    badge.textContent = String(counts.unread);
    badge.className = "badge" + (counts.unread ? " unread" : "");
    badge.setAttribute("aria-label", "Непрочитанных: " + counts.unread);
  }
  const readAll = $("#read-all");
  if (readAll) readAll.disabled = !counts.unread;
  document.title = (counts.unread ? "(" + counts.unread + ") " : "") + "Электронный журнал";
  return counts;
}

/** «Отметить все как прочитанные»: every notice and message of the person. */
export async function markAllRead() {
  if (!counted) return;
  await api("POST", unreadUrl(counted, "/notifications/read-all"));
  await refreshUnread();
}
