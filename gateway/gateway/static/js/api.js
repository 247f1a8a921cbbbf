/* Calls through the gateway: the session's CSRF token, problem details as errors, retries while an event is on its way. */

let csrfToken = "";

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

export async function api(method, path, body) {
  const headers = { "Accept": "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") {
    headers["X-CSRF-Token"] = csrfToken;
    headers["Idempotency-Key"] = crypto.randomUUID();
  }
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
