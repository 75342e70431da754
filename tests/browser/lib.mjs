// Shared helpers of the browser tests: the system's Chromium through playwright-core (no
// browser download), the server under test, screenshots at desktop and phone width.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

/** The server under test, e.g. http://127.0.0.1:41234 (set by scripts/browser-tests.sh). */
export const BASE = (process.env.TONGBAN_URL || "http://127.0.0.1:8080").replace(/\/$/, "");
/** Where screenshots go. */
export const SHOTS = process.env.SCREENSHOT_DIR || join(process.cwd(), "artifacts", "screenshots");
/** The demo's shared password. */
export const PASSWORD = "tongban-demo-2026";
/** The demo applicant's phone number. */
export const APPLICANT_PHONE = "13800000000";

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** Launches Debian's Chromium. */
export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

/** A fresh browser context (own cookies) at desktop width, with its first page. */
export async function open(browser) {
  const context = await browser.newContext({ viewport: DESKTOP, locale: "zh-CN" });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  return { context, page };
}

/** Screenshots the page at desktop and phone width as NAME-desktop.png and NAME-phone.png. */
export async function shoot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  for (const [label, size] of [["desktop", DESKTOP], ["phone", PHONE]]) {
    await page.setViewportSize(size);
    await page.screenshot({ path: join(SHOTS, `${name}-${label}.png`), fullPage: true });
  }
  await page.setViewportSize(DESKTOP);
}

/** Logs in through the login page. */
export async function login(page, who) {
  await page.goto(`${BASE}/login`);
  await page.fill("#f-login", who);
  await page.fill("#f-password", PASSWORD);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/login")), page.click("form.stack button[type=submit]")]);
}

/** Logs out through the header's button. */
export async function logout(page) {
  await Promise.all([page.waitForURL(`${BASE}/?done=logged_out`), page.click("header form[action='/logout'] button")]);
}

/** GET a JSON API route. */
export async function api(path, init = {}) {
  const response = await fetch(`${BASE}${path}`, init);
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
}

/** A fgw item that can be applied for online (the demo grants cover fgw). */
export async function onlineItem() {
  const { body } = await api("/api/v1/items?department=fgw&channel=online&per_page=200");
  const item = body.items.find((i) => i.materials.some((m) => m.required)) || body.items[0];
  if (!item) throw new Error("the demo has no online fgw item");
  return item;
}

/** Logs in over the API and submits a case for the demo applicant; returns its number. */
export async function submitOverApi(item) {
  const session = await fetch(`${BASE}/api/v1/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ login: "applicant", password: PASSWORD }),
  });
  const me = await session.json();
  const cookie = session.headers.get("set-cookie").split(";")[0];
  const me2 = await api("/api/v1/me", { headers: { cookie } });
  const created = await api("/api/v1/cases", {
    method: "POST",
    headers: { cookie, "x-csrf-token": me.csrf_token, "content-type": "application/json" },
    body: JSON.stringify({
      item: item.code,
      applicant: { kind: "enterprise", name: me2.body.display_name, id_number: "91620100MA7LX0001Y", phone: APPLICANT_PHONE },
      channel: "online",
      materials: item.materials.filter((m) => m.required).map((m) => m.name),
    }),
  });
  if (created.status !== 201) throw new Error(`submit failed: ${JSON.stringify(created.body)}`);
  return created.body.number;
}

/** A tiny valid PDF. */
export const PDF = Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");
