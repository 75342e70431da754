// Queue tickets (排队号) and the newer oversight pages: a visitor takes a ticket at the kiosk
// and a clerk calls it at the window (keyboard: the call button has accesskey T); the
// administrators' import forms, the grant form, and projects drawn on their plans.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, login, open, shoot } from "./lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("a visitor takes a queue ticket and a clerk calls it", async () => {
  const { page } = await open(browser);
  await page.goto(`${BASE}/kiosk`);
  await Promise.all([page.waitForURL("**/kiosk/ticket"), page.click("a.big[href='/kiosk/ticket']")]);
  const box = await page.locator("button.big").first().boundingBox();
  assert.ok(box.height >= 100, "touch targets are large");
  await shoot(page, "25-kiosk-ticket");
  await page.click("button.big[value='comprehensive']");
  const number = (await page.locator(".ticket-number").textContent()).trim();
  assert.match(number, /^A\d{3,}$/);
  await shoot(page, "26-kiosk-ticket-taken");

  const clerk = await open(browser);
  await login(clerk.page, "fgw.clerk");
  await clerk.page.goto(`${BASE}/workbench`);
  await clerk.page.locator("form.ticket-call button").waitFor();
  await Promise.all([clerk.page.waitForURL(/called=/), clerk.page.click("form.ticket-call button")]);
  assert.equal((await clerk.page.locator(".called-number").textContent()).trim(), number, "the oldest waiting ticket");
  await shoot(clerk.page, "27-workbench-called");
});

test("administrators import plans and holidays; an approver gives a grant; projects on their plans", async () => {
  const { page } = await open(browser);
  await login(page, "admin");
  await page.goto(`${BASE}/admin/plans/import`);
  await page.fill("#f-bpmn", "<definitions>");
  await page.click("main form button[type=submit]");
  await page.locator("#err-bpmn").waitFor();
  assert.equal(await page.inputValue("#f-bpmn"), "<definitions>", "what was typed is kept");
  await shoot(page, "28-admin-plan-import");
  await page.goto(`${BASE}/admin/calendar/import`);
  await shoot(page, "29-admin-calendar-import");

  const approver = await open(browser);
  await login(approver.page, "fgw.approver");
  await approver.page.goto(`${BASE}/admin/grants/new`);
  await shoot(approver.page, "30-grant-new");

  const sup = await open(browser);
  await login(sup.page, "supervisor");
  await sup.page.goto(`${BASE}/supervision/projects`);
  await sup.page.locator("main h1").waitFor();
  await shoot(sup.page, "31-supervision-projects");
});
