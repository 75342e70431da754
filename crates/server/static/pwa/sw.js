// The online hall's service worker (served as /sw.js, scope /). The pages work without it.
// With it: the app shell and the applicant's pages already seen — the case list (/hall),
// the inbox and the cases opened — stay readable offline (network first, the last copy
// when there is no network), and Web Push notices are shown and open their case on a
// click. Logging out forgets the saved pages.
"use strict";

const SHELL = "tongban-shell-v1";
const PAGES = "tongban-pages-v1";
const SHELL_FILES = [
  "/static/app.css",
  "/static/app.js",
  "/static/favicon.svg",
  "/pwa/icon.svg",
  "/pwa/icon-192.png",
];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL).then((cache) => cache.addAll(SHELL_FILES)).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== SHELL && k !== PAGES).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

/// Pages kept for offline reading: the hall's own, and the cases opened from it (a case
/// page reached from the workbench — staff on a shared browser — is not kept).
function isPage(request, url) {
  const p = url.pathname;
  if (p === "/hall" || p.startsWith("/hall/")) {
    return true;
  }
  if (!p.startsWith("/cases/") || !request.referrer) {
    return false;
  }
  const from = new URL(request.referrer);
  return from.origin === url.origin && (from.pathname === "/hall" || from.pathname.startsWith("/hall/"));
}

function isShell(url) {
  return url.pathname.startsWith("/static/") || url.pathname.startsWith("/pwa/") || url.pathname === "/manifest.webmanifest";
}

/// The network's answer, saved in `cacheName`; the saved copy (or `fallback`'s) when the
/// network cannot answer.
async function networkFirst(request, cacheName, fallback) {
  const cache = await caches.open(cacheName);
  try {
    const response = await fetch(request);
    // Only a page of this person (not a redirect to the login page, not an error).
    if (response.ok && !response.redirected && response.type === "basic") {
      await cache.put(request, response.clone());
    }
    return response;
  } catch (offline) {
    const saved =
      (await cache.match(request)) || (fallback && (await cache.match(fallback, { ignoreSearch: true })));
    if (saved) {
      return saved;
    }
    throw offline;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.method === "POST" && url.pathname === "/logout") {
    // Another person may use this device next: the saved pages go with the session.
    event.waitUntil(caches.delete(PAGES));
    return;
  }
  if (request.method !== "GET") {
    return;
  }
  if (request.mode === "navigate" && isPage(request, url)) {
    event.respondWith(networkFirst(request, PAGES, "/hall"));
  } else if (isShell(url)) {
    event.respondWith(networkFirst(request, SHELL, null));
  }
});

self.addEventListener("push", (event) => {
  let data = {};
  if (event.data) {
    try {
      data = event.data.json();
    } catch (notJson) {
      data = { body: event.data.text() };
    }
  }
  const title = data.title || "tongban";
  event.waitUntil(
    self.registration.showNotification(title, {
      body: data.body || "",
      tag: data.tag || undefined,
      icon: "/pwa/icon-192.png",
      badge: "/pwa/icon-192.png",
      data: { url: data.url || "/hall" },
    })
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  // The case's page on this site (a link to another site opens its path here).
  const given = new URL((event.notification.data && event.notification.data.url) || "/hall", self.location.origin);
  const target = new URL(given.pathname + given.search, self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      for (const w of windows) {
        if (w.url === target && "focus" in w) {
          return w.focus();
        }
      }
      return self.clients.openWindow(target);
    })
  );
});
