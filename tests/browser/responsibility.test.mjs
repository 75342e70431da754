// Responsibility that holds (issue 18): a supervisor reads the month's window assessment with
// its honours and chart, satisfaction by window, the rectifications of bad ratings and the
// concerns; a clerk checks in at the seat from the workbench; a member of the public answers
// the month's democratic evaluation. Screenshots of every page, at desktop and phone width.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, login, logout, open, shoot } from "./lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Opens a page and checks it answered 200 in Chinese with no missing message. */
async function visit(page, path) {
  const response = await page.goto(`${BASE}${path}`);
  assert.equal(response.status(), 200, path);
  assert.equal(await page.getAttribute("html", "lang"), "zh-CN", path);
  assert.equal(await page.getByText("[?]").count(), 0, `${path} uses a message missing from the files`);
}

test("a supervisor reads the assessment, satisfaction, rectifications and concerns", async () => {
  const { page } = await open(browser);
  await login(page, "supervisor");
  // The assessment is one of the supervision section's tabs.
  await visit(page, "/supervision");
  await Promise.all([page.waitForURL(/\/assessment/), page.click("a[href='/assessment']")]);
  assert.ok(await page.locator("table tbody tr").count() > 0, "the demo's windows are ranked");
  assert.ok(await page.locator("svg").count() >= 1, "a chart of the totals");
  await shoot(page, "63-assessment-windows");
  await visit(page, "/assessment?by=staff");
  assert.ok(await page.locator("table tbody tr").count() > 0, "the demo's staff are ranked");
  await shoot(page, "64-assessment-staff");

  await visit(page, "/ratings/satisfaction?by=window");
  assert.ok(await page.locator("svg").count() >= 1, "a chart of satisfaction by window");
  await shoot(page, "65-ratings-satisfaction");
  await visit(page, "/ratings/rectifications");
  const first = page.locator("a[href^='/ratings/rectifications/']").first();
  assert.ok(await first.count() === 1, "the demo's bad ratings were rectified");
  await shoot(page, "66-ratings-rectifications");
  await Promise.all([page.waitForURL(/\/ratings\/rectifications\/\d+/), first.click()]);
  await shoot(page, "67-ratings-rectification");

  await visit(page, "/supervision/concerns");
  await shoot(page, "68-supervision-concerns-ledger");
  await logout(page);
});

test("a clerk checks in at the seat and the public answers the month's evaluation", async () => {
  const { page } = await open(browser);
  await login(page, "fgw.clerk");
  await visit(page, "/workbench");
  await Promise.all([
    page.waitForURL(/\/workbench/),
    page.click("form[action='/attendance/check-in'] button[type=submit]"),
  ]);
  await visit(page, "/attendance");
  assert.ok(await page.locator("table tbody tr").count() > 0, "the day is in the ledger");
  await shoot(page, "69-attendance");
  await logout(page);

  // Anyone may answer: the footer of every page leads to the survey.
  await visit(page, "/");
  await Promise.all([page.waitForURL(/\/surveys$/), page.click("footer a[href='/surveys']")]);
  const survey = page.locator("main a[href^='/surveys/']").first();
  assert.ok(await survey.count() === 1, "a month's survey is open");
  await Promise.all([page.waitForURL(/\/surveys\/\d{4}-\d{2}/), survey.click()]);
  await page.selectOption("select[name=subject_kind]", "window");
  await page.fill("input[name=subject_code]", "W-01");
  await page.check("input[name=grade][value='5']");
  await Promise.all([page.waitForURL(/done/), page.click("main form button[type=submit]")]);
  assert.equal(await page.locator("p.notice[role=status]").count(), 1, "thanked");
  await shoot(page, "70-survey-answered");
});
