// The supervision board and the administration: a supervisor watches the board (also as a
// wall screen that reloads itself), alerts, accountability, figures with their charts and
// concerns; a department head answers an open accountability record when there is one; an
// administrator reads the catalog's reform comparison and the other administration pages,
// and its forms show errors beside the fields and keep what was typed.
// Screenshots of every page, at desktop and phone width.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { BASE, SHOTS, launch, login, logout, open, shoot } from "./lib.mjs";

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

test("a supervisor watches the board, alerts, accountability, figures and concerns", async () => {
  const { page } = await open(browser);
  await login(page, "supervisor");
  assert.match(page.url(), /\/supervision$/, "a supervisor starts at the board");
  // The server that serves the tests also runs the worker: its board fills at once.
  const notHere = page.getByText("本服务器没有运行电子监察程序");
  for (let i = 0; i < 40 && (await notHere.count()) > 0; i++) {
    await page.waitForTimeout(250);
    await page.reload();
  }
  assert.equal(await notHere.count(), 0, "the worker runs on this server");
  const green = Number(await page.locator("li.light.green .k").textContent());
  assert.ok(green > 0, "the demo has running cases");
  assert.match(await page.getAttribute("meta[http-equiv=refresh]", "content"), /^\d+$/, "the board reloads itself");
  await shoot(page, "40-supervision-board");
  const tiles = await page.locator("ul.wall-grid li a").count();
  if (tiles > 0) {
    const href = await page.locator("ul.wall-grid li a").first().getAttribute("href");
    assert.match(href, /^\/cases\/\d{6}-\d{4}-\d{6}$/, "a tile links to its case");
  }

  await Promise.all([page.waitForURL("**/supervision?wall=1"), page.click("a[href='/supervision?wall=1']")]);
  assert.equal(await page.locator("header.site nav").count(), 0, "a wall screen has no navigation");
  assert.ok(await page.locator("meta[http-equiv=refresh]").count() === 1);
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.screenshot({ path: join(SHOTS, "41-supervision-wall-1080p.png"), fullPage: true });
  await shoot(page, "41-supervision-wall");

  await visit(page, "/supervision/alerts");
  await page.getByRole("heading", { name: "预警" }).first().waitFor();
  await shoot(page, "42-supervision-alerts");

  await visit(page, "/supervision/accountability");
  await shoot(page, "43-supervision-accountability");

  await visit(page, "/supervision/figures");
  assert.ok(await page.locator("svg.chart").count() >= 2, "volume and on-time rate charts");
  await shoot(page, "44-supervision-figures-department");
  await page.selectOption("#f-by", "staff");
  await Promise.all([page.waitForURL(/by=staff/), page.click("form.search button[type=submit]")]);
  assert.ok(await page.locator("svg.chart").count() >= 1);
  await shoot(page, "45-supervision-figures-staff");
  // A bad period comes back beside its fields, with what was typed.
  await page.fill("#f-from", "2026-03-02");
  await page.fill("#f-until", "2026-03-01");
  await page.click("form.search button[type=submit]");
  await page.locator("#err-until").waitFor();
  assert.equal(await page.inputValue("#f-from"), "2026-03-02");
  await shoot(page, "46-supervision-figures-error");

  await visit(page, "/supervision/concerns");
  await shoot(page, "47-supervision-concerns");
  await page.goto(`${BASE}/supervision?lang=en`);
  await page.getByRole("heading", { name: "Supervision board" }).waitFor();
  await shoot(page, "48-supervision-board-en");
  await page.goto(`${BASE}/supervision?lang=zh-CN`);
  await logout(page);
});

test("a department head sees the department's board and answers for an overdue case", async () => {
  const { page } = await open(browser);
  await login(page, "fgw.head");
  await visit(page, "/supervision");
  await page.getByText("仅显示本部门").waitFor();
  await shoot(page, "49-supervision-board-department");
  await visit(page, "/supervision/accountability?state=open");
  const forms = page.locator("form[action$='/answer']");
  if ((await forms.count()) > 0) {
    // Nothing typed: the error comes beside the field, and the field gets the focus.
    const form = forms.first();
    await form.locator("button[type=submit]").click();
    await page.locator("#err-text").waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("aria-invalid")), "true");
    await shoot(page, "4a-accountability-error");
    await page.locator("form[action$='/answer'] textarea").first().fill("专家评审延误，已整改。");
    await Promise.all([
      page.waitForURL(/done=accountability_answered/),
      page.locator("form[action$='/answer'] button[type=submit]").first().click(),
    ]);
    await page.getByText("情况说明已提交").waitFor();
  }
  await shoot(page, "4b-accountability-department");
});

test("an administrator reads the catalog, the organisation, staff, grants, calendar, rules and plans", async () => {
  const { page } = await open(browser);
  await login(page, "admin");
  assert.match(page.url(), /\/admin$/, "an administrator starts at the administration");
  await page.locator("table.reform").waitFor();
  assert.ok(await page.locator("svg.chart").count() === 1, "the comparison by category is drawn");
  await shoot(page, "50-admin-catalog");

  await visit(page, "/admin/org");
  await shoot(page, "51-admin-org");

  // A staff account: bad input comes back beside the fields, what was typed kept.
  await visit(page, "/admin/staff");
  await page.fill("#f-new-login", "Bad Name");
  await page.fill("#f-new-password", "short");
  await page.fill("#f-new-name", "新同事");
  await page.selectOption("#f-new-role", "reviewer");
  await page.click("#new-staff button[type=submit]");
  for (const field of ["login", "password", "department"]) {
    await page.locator(`#err-${field}`).waitFor();
  }
  assert.equal(await page.inputValue("#f-new-name"), "新同事");
  assert.equal(await page.inputValue("#f-new-password"), "", "never the password");
  await shoot(page, "52-admin-staff-errors");
  const login_ = `e2e.${Date.now().toString(36)}`;
  await page.fill("#f-new-login", login_);
  await page.fill("#f-new-password", "a long enough password");
  await page.selectOption("#f-new-department", "fgw");
  await Promise.all([page.waitForURL(/done=staff_created/), page.click("#new-staff button[type=submit]")]);
  await page.getByText(login_, { exact: true }).waitFor();
  // Change its role from the list.
  const row = page.locator(`form[action='/admin/staff/${login_}/role']`);
  await row.locator("select").selectOption("approver");
  await Promise.all([page.waitForURL(/done=role_changed/), row.locator("button[type=submit]").click()]);
  assert.equal(await page.locator(`form[action='/admin/staff/${login_}/role'] select`).inputValue(), "approver");
  await shoot(page, "53-admin-staff");

  await visit(page, "/admin/grants");
  assert.ok(await page.locator("ul.tree li").count() > 0, "the delegation tree");
  await shoot(page, "54-admin-grants");

  await visit(page, "/admin/calendar");
  assert.ok(await page.locator("table.calendar tbody tr").count() > 0, "holidays and make-up working days");
  await shoot(page, "55-admin-calendar");

  await visit(page, "/admin/rules");
  await page.check("input[name=scope][value=department]");
  await page.fill("#f-key", "no-such-department");
  await page.fill("#f-used-percent", "150");
  await page.click("#set-rule button[type=submit]");
  await page.locator("#err-used-percent").waitFor();
  assert.equal(await page.inputValue("#f-key"), "no-such-department");
  await shoot(page, "56-admin-rules-errors");
  await page.fill("#f-key", "fgw");
  await page.fill("#f-used-percent", "75");
  await Promise.all([page.waitForURL(/done=rule_set/), page.click("#set-rule button[type=submit]")]);
  await page.getByText("75%").first().waitFor();
  await shoot(page, "57-admin-rules");

  await visit(page, "/admin/plans");
  assert.ok(await page.locator("a[href^='/api/v1/plans/']").count() > 0, "plans link to their schedule");
  await shoot(page, "58-admin-plans");
});

test("a center leader reads the administration without its forms", async () => {
  const { page } = await open(browser);
  await login(page, "leader");
  await visit(page, "/admin/staff");
  await page.getByText("只有系统管理员可以修改").waitFor();
  assert.equal(await page.locator("#new-staff").count(), 0);
  assert.equal(await page.locator("form[action$='/role']").count(), 0);
  const response = await page.goto(`${BASE}/supervision`);
  assert.equal(response.status(), 200);
  await shoot(page, "59-leader-board");
});
