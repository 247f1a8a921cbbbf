/* Calls through the gateway: the session's CSRF token, problem details as errors, retries while an event is on its way.

   Every write carries an Idempotency-Key, so a retried request is answered with the first answer instead of
   writing twice; the same write asked again while the first is on its way (a double click) gets the first's answer. */

let csrfToken = "";
/** Writes on their way, by method, path and body. */
const inFlight = new Map();

export function setCsrfToken(token) { csrfToken = token; }

function sleep(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }

/** A problem's Russian `detail` becomes the error message; its status and wrong fields travel with it. */
function problem(response, data) {
  const error = new Error((data && (data.detail || data.title)) || "Ошибка " + response.status);
  error.status = response.status;
  error.fields = (data && data.errors) || [];
  return error;
}

/** Statuses after which the write may or may not have happened: sent again with the same key. */
const UNCERTAIN = [502, 503, 504];

/** A change is sent with one Idempotency-Key and, after a network error or a gateway timeout, sent
 * again with the same key: the service answers the retry with the first answer, never a second lesson. */
async function send(method, path, headers, body) {
  const attempts = method === "GET" ? 1 : 3;
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetch("/api/v1" + path, {
        method,
        headers,
        credentials: "same-origin",
        body: body === undefined ? undefined : JSON.stringify(body)
      });
      if (attempt < attempts && UNCERTAIN.indexOf(response.status) >= 0) { await sleep(500 * attempt); continue; }
      return response;
    } catch (error) {
      if (attempt >= attempts) throw new Error("Нет связи с сервером, повторите позже.");
      await sleep(500 * attempt);
    }
  }
}

/** 128 random bits as hex (crypto.randomUUID needs HTTPS; getRandomValues does not). */
function newKey() {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

export function api(method, path, body) {
  if (method === "GET") return call(method, path, body, {});
  const same = method + " " + path + " " + JSON.stringify(body === undefined ? null : body);
  if (inFlight.has(same)) return inFlight.get(same);
  const headers = { "X-CSRF-Token": csrfToken, "Idempotency-Key": newKey() };
  const pending = call(method, path, body, headers).finally(() => inFlight.delete(same));
  inFlight.set(same, pending);
  return pending;
}

async function call(method, path, body, extra) {
  const headers = { "Accept": "application/json", ...extra };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await send(method, path, headers, body);
  if (response.status === 401) {
    window.location.href = "/login";
    throw new Error("Сеанс истёк, войдите снова.");
  }
  const type = response.headers.get("content-type") || "";
  const data = type.indexOf("json") >= 0 ? await response.json() : null;
  if (!response.ok) throw problem(response, data);
  return data;
}

/** Tries `call` again while `worthRetrying(error)` holds, up to `attempts` more times, `pauseMs` apart. */
export async function retrying(call, worthRetrying, attempts, pauseMs) {
  for (let left = attempts; ; left--) {
    try {
      return await call();
    } catch (error) {
      if (left <= 0 || !worthRetrying(error)) throw error;
      await sleep(pauseMs);
    }
  }
}

/** A file sent as it is (the bulk import's body), with the session's CSRF token; problems as `api` gives them. */
export async function upload(path, file) {
  const headers = { "Accept": "application/json", "X-CSRF-Token": csrfToken, "Idempotency-Key": newKey(),
    "Content-Type": file.type || "application/octet-stream" };
  const response = await fetch("/api/v1" + path, { method: "POST", headers, credentials: "same-origin", body: file });
  const type = response.headers.get("content-type") || "";
  const data = type.indexOf("json") >= 0 ? await response.json() : null;
  if (!response.ok) throw problem(response, data);
  return data;
}
