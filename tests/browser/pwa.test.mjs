// The online hall as an installed app: the manifest is linked and valid, the service worker
// registers and takes the page, and after one visit the applicant's case list still loads
// with the network off.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, login, onlineItem, open, shoot } from "./lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("the hall installs as an app and its case list loads offline after one visit", async () => {
  const { context, page } = await open(browser);
  await login(page, "applicant");
  // A case of the applicant's own, so the list has a row.
  const item = await onlineItem();
  await page.goto(`${BASE}/hall/apply/${item.code}`);
  for (const m of item.materials.filter((m) => m.required)) {
    await page.check(`input[name=materials][value="${m.name}"]`);
  }
  await Promise.all([page.waitForURL(/\/cases\/.*done=submitted/), page.click("main form button[type=submit]")]);
  await page.goto(`${BASE}/hall`);

  // The manifest is linked, and what it says an installable app needs.
  const href = await page.getAttribute("link[rel=manifest]", "href");
  assert.ok(href && href.startsWith("/manifest.webmanifest"), href);
  const manifest = await page.evaluate(async (url) => (await fetch(url)).json(), href);
  assert.equal(manifest.start_url, "/hall");
  assert.equal(manifest.display, "standalone");
  assert.ok(manifest.icons.some((i) => i.sizes === "192x192"), JSON.stringify(manifest.icons));
  assert.ok(manifest.icons.some((i) => i.sizes === "512x512"), JSON.stringify(manifest.icons));

  // Where the center sends push notices, a person logged in is offered them on this device.
  const key = await page.evaluate(async () => (await fetch("/api/v1/push/key")).status);
  if (key === 200) {
    await page.locator("main section.pwa-push button").waitFor();
  }

  // The service worker registers (from /pwa/hall.js) and takes the page.
  const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
  assert.equal(scope, `${BASE}/`);
  // The next load of the list goes through it, which saves the list.
  await page.reload();
  assert.ok(await page.evaluate(() => navigator.serviceWorker.controller !== null), "the worker controls the hall");

  // Then the network goes away.
  const rows = await page.locator("main table tbody tr").count();
  assert.ok(rows > 0, "the demo applicant has cases");
  const heading = await page.locator("main h1").first().textContent();
  // A case opened from the list is kept too.
  const link = page.locator("main table tbody tr a[href^='/cases/']").first();
  const caseHref = await link.getAttribute("href");
  await Promise.all([page.waitForURL(`**${caseHref}`), link.click()]);
  await page.goto(`${BASE}/hall`);
  await context.setOffline(true);
  await page.goto(`${BASE}/hall`);
  assert.equal(await page.locator("main h1").first().textContent(), heading, "the list's page is shown offline");
  assert.equal(await page.locator("main table tbody tr").count(), rows, "with its cases");
  // The page says it is the saved copy.
  await page.locator("main p.notice.warn").first().waitFor();
  // The shell came from the cache too: the page is styled.
  const styled = await page.evaluate(() => getComputedStyle(document.querySelector("header.site")).display !== "inline");
  assert.ok(styled, "the stylesheet was served offline");
  await shoot(page, "40-hall-offline");
  await Promise.all([page.waitForURL(`**${caseHref}`), page.click(`main table tbody tr a[href='${caseHref}']`)]);
  await page.locator("main").getByText(caseHref.split("/").pop()).first().waitFor();
  await context.setOffline(false);
  await context.close();
});
