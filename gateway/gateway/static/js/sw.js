/* The service worker: the start page, its scripts and the diary week loaded last stay readable offline.

   Network first, the copy only when the network fails; the answer then says `offline`, so the page can tell.
   Personal data is kept only while someone is logged in: the logout and the login page empty the cache. */

const CACHE = "journal-offline-v1";
/** What a family needs to read the last week: the start page, the modules, who is logged in, the diary. */
const KEPT = [/^\/$/, /^\/static\//, /^\/api\/v1\/me$/, /^\/api\/v1\/diary(\/|$)/, /^\/api\/v1\/gradebook\/schools\/[^/]+\/work-types$/];

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

function forget() { return caches.delete(CACHE); }

self.addEventListener("message", (event) => { if (event.data === "forget") event.waitUntil(forget()); });

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === "/logout" || url.pathname === "/login") {
    event.respondWith(forget().then(() => fetch(event.request)));
    return;
  }
  if (event.request.method !== "GET" || !KEPT.some((pattern) => pattern.test(url.pathname))) return;
  event.respondWith(networkFirst(event.request));
});

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    // A redirect to /login or a refusal is never kept: only what the person could read.
    if (response.ok && !response.redirected) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const kept = await cache.match(request);
    if (!kept) throw error;
    if (!new URL(request.url).pathname.startsWith("/api/v1/diary/")) return kept;
    const diary = await kept.json();
    return new Response(JSON.stringify({ ...diary, offline: true }), { headers: { "Content-Type": "application/json" } });
  }
}
