// Construction projects (issue 19): a center leader reads the project library, the project
// figures, the approval list by project type, the joint review meetings with their figures and
// one meeting, the trainings, the problems (a refused problem keeps what was typed, each error
// beside its field), the 会商 and the follow-ups. Screenshots at desktop and phone width.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { BASE, api, launch, login, logout, open, shoot } from "./lib.mjs";

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

test("the public reads the approval list by project type", async () => {
  const { page } = await open(browser);
  await visit(page, "/projects/approval-list");
  assert.ok(await page.locator("table tbody tr").count() > 0, "the types' plans link to catalog items");
  await shoot(page, "71-projects-approval-list");
  const { status, body } = await api("/api/v1/projects/approval-list");
  assert.equal(status, 200);
  assert.ok(body.length >= 5, "after-reform and the four streamlined plans");
});

test("a leader follows the library, the figures, the meetings, the service and the follow-ups", async () => {
  const { page } = await open(browser);
  await login(page, "leader");
  await visit(page, "/supervision/projects");
  assert.ok(await page.locator("table tbody tr").count() > 0, "the library is listed");
  await shoot(page, "72-projects-library");
  await visit(page, "/projects/figures");
  assert.ok(await page.locator("svg").count() >= 1, "figures are charted");
  await shoot(page, "73-projects-figures");

  await visit(page, "/meetings");
  const text = await page.locator("main").innerText();
  for (const n of ["212", "13", "44", "155"]) assert.ok(text.includes(n), `the meetings' figures show ${n}`);
  await shoot(page, "74-meetings");
  const first = page.locator("a[href^='/meetings/']:not([href='/meetings/new'])").first();
  await Promise.all([page.waitForURL(/\/meetings\/\d+/), first.click()]);
  await shoot(page, "75-meeting");

  await visit(page, "/service/trainings");
  await shoot(page, "76-service-trainings");
  await visit(page, "/service/coordinations");
  await shoot(page, "77-service-coordinations");
  await visit(page, "/service/problems");
  assert.ok(await page.locator("svg").count() >= 1, "the class shares are charted");
  // A problem on a code that is no 投资项目统一代码, with too long a deadline: refused, each
  // error beside its field, and what was typed kept.
  await page.fill("#f-add-project", "NOT-A-CODE");
  await page.fill("#f-add-description", "缺少用地预审意见");
  await page.fill("#f-add-department", "fgw");
  await page.fill("#f-add-days", "999");
  await Promise.all([page.waitForLoadState("load"), page.click("form[method='post'][action='/service/problems'] button[type=submit]")]);
  assert.ok(await page.locator(".field.invalid").count() >= 2, "the code and the deadline are marked");
  assert.equal(await page.inputValue("#f-add-description"), "缺少用地预审意见");
  assert.equal(await page.inputValue("#f-add-project"), "NOT-A-CODE");
  await shoot(page, "78-service-problem-refused");

  await visit(page, "/supervision/follow-ups");
  assert.ok(await page.locator("table tbody tr").count() > 0, "problems and roadmap tasks are followed");
  await shoot(page, "79-supervision-follow-ups");
  await logout(page);
});
