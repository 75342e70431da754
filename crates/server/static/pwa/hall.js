// The online hall as an installed app (served as /pwa/hall.js?lang=…, after the page's
// texts in `T`). The pages work without this file. With it, on the hall's pages: the
// service worker is registered (the case list stays readable offline), a page shown from
// the saved copy says so, and a person logged in is offered to enable notifications on this
// device (Web Push) — or to turn them off again; staff are offered the same on their inbox
// and profile pages.
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) {
    return;
  }
  const path = location.pathname;
  // The hall's pages, and staff's own inbox and profile (their alerts can come by push too;
  // the worker keeps none of staff's pages).
  const inHall = path === "/hall" || path.startsWith("/hall/");
  const offers = ["/hall", "/hall/profile", "/hall/inbox", "/account/profile", "/account/inbox"];
  if (!inHall && !offers.includes(path)) {
    return;
  }

  function note(text, kind) {
    const p = document.createElement("p");
    p.className = "notice" + (kind ? " " + kind : "");
    p.setAttribute("role", "status");
    p.textContent = text;
    return p;
  }

  function whenReady(fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  }

  whenReady(function () {
    const main = document.querySelector("main");
    if (main && navigator.onLine === false) {
      main.insertBefore(note(T.offline, "warn"), main.firstChild);
    }
  });

  navigator.serviceWorker
    .register("/sw.js", { scope: "/" })
    .then(function (registration) {
      whenReady(function () {
        offerPush(registration);
      });
    })
    .catch(function () {});

  function keyBytes(b64url) {
    const b64 = (b64url + "===".slice((b64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    const raw = atob(b64);
    const out = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) {
      out[i] = raw.charCodeAt(i);
    }
    return out;
  }

  function send(method, body, csrf) {
    return fetch("/api/v1/me/push-subscriptions", {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body),
    }).then(function (res) {
      if (!res.ok && res.status !== 404) {
        throw new Error(String(res.status));
      }
    });
  }

  function offerPush(registration) {
    // Only for a person logged in (the log-out form carries the session's CSRF token), and
    // only where the browser can take push messages.
    const csrfField = document.querySelector("form[action='/logout'] input[name='csrf']");
    const main = document.querySelector("main");
    if (!csrfField || !main || !("PushManager" in window) || !("Notification" in window) || !registration.pushManager) {
      return;
    }
    if (!offers.includes(path)) {
      return;
    }
    const csrf = csrfField.value;
    fetch("/api/v1/push/key", { credentials: "same-origin" })
      .then(function (res) {
        return res.ok ? res.json() : null;
      })
      .then(function (answer) {
        if (!answer || !answer.public_key) {
          return;
        }
        return registration.pushManager.getSubscription().then(function (current) {
          draw(registration, answer.public_key, current, csrf, main);
        });
      })
      .catch(function () {});
  }

  function draw(registration, key, current, csrf, main) {
    const section = document.createElement("section");
    section.className = "pwa-push";
    const title = document.createElement("h2");
    title.textContent = T.title;
    const status = document.createElement("p");
    const button = document.createElement("button");
    button.type = "button";
    const message = document.createElement("p");
    message.setAttribute("role", "status");
    message.hidden = true;
    section.append(title, status, button, message);
    // After the page's own content: the page's purpose comes first.
    main.append(section);

    function say(text) {
      message.textContent = text;
      message.hidden = !text;
    }

    function show(subscription) {
      current = subscription;
      status.textContent = subscription ? T.on : T.hint;
      button.textContent = subscription ? T.disable : T.enable;
      button.disabled = false;
    }

    // A browser subscribed before: tell the server again once a session (it may have
    // forgotten a subscription its push service once refused).
    if (current && !sessionStorage.getItem("tongban-push-synced")) {
      send("POST", current.toJSON(), csrf)
        .then(function () {
          sessionStorage.setItem("tongban-push-synced", "1");
        })
        .catch(function () {});
    }
    show(current);

    button.addEventListener("click", function () {
      button.disabled = true;
      say("");
      if (current) {
        const endpoint = current.endpoint;
        current
          .unsubscribe()
          .then(function () {
            return send("DELETE", { endpoint: endpoint }, csrf);
          })
          .then(function () {
            show(null);
          })
          .catch(function () {
            say(T.failed);
            show(current);
          });
        return;
      }
      Notification.requestPermission()
        .then(function (permission) {
          if (permission !== "granted") {
            say(T.denied);
            show(null);
            return;
          }
          return registration.pushManager
            .subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) })
            .then(function (subscription) {
              return send("POST", subscription.toJSON(), csrf).then(function () {
                sessionStorage.setItem("tongban-push-synced", "1");
                show(subscription);
              });
            });
        })
        .catch(function () {
          say(T.failed);
          show(current);
        });
    });
  }
})();
