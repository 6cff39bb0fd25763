// Jifen's service worker: the app opens with no network after one visit.
//
// The build (scripts/build-app.sh) fills in VERSION (the bundle's content hash) and SHELL (the
// page, the manifest, the icons, the stylesheet and every file of the current /assets/<hash>/).
// Installing caches them all under one cache named after the bundle; activating deletes every
// other bundle's cache. The API is never cached here: the app keeps the last answers it saw
// itself, marked as such, and queues reports in IndexedDB.
"use strict";

const VERSION = "{{VERSION}}";
const SHELL = {{SHELL}};
const CACHE = "jifen-shell-" + VERSION;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { cache: "reload" }))))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((n) => n.startsWith("jifen-shell-") && n !== CACHE).map((n) => caches.delete(n))
      ))
      .then(() => self.clients.claim())
  );
});

const NAVIGATION_TIMEOUT_MS = 3000;

// A page: the newest from the server when it answers soon, else the cached page (every page
// address is the same app page; the client-side router takes it from there).
async function page(request) {
  const cache = await caches.open(CACHE);
  try {
    const fresh = await Promise.race([
      fetch(request),
      new Promise((_, reject) => setTimeout(() => reject(new Error("slow")), NAVIGATION_TIMEOUT_MS)),
    ]);
    if (fresh.ok) return fresh;
    return (await cache.match("/")) || fresh;
  } catch (e) {
    const cached = await cache.match("/");
    if (cached) return cached;
    throw e;
  }
}

// A file of the shell: from the cache first (bundle files never change under the same name).
async function shellFile(request) {
  const cached = await caches.match(request, { cacheName: CACHE, ignoreSearch: true });
  return cached || fetch(request);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === "/api" || url.pathname.startsWith("/api/")) return;
  if (url.pathname.startsWith("/board/") || url.pathname.startsWith("/verify")) return;
  if (request.mode === "navigate") {
    event.respondWith(page(request));
  } else if (SHELL.includes(url.pathname)) {
    event.respondWith(shellFile(request));
  }
});
