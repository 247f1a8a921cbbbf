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

export async function api(method, path, body) {
  const headers = { "Accept": "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRF-Token"] = csrfToken;
  const response = await fetch("/api/v1" + path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body)
  });
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
