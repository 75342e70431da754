// The whole life of a case through the pages, each person in their own browser session:
// an applicant applies online (with a file), a clerk requests a correction, the applicant
// corrects, the clerk accepts (from the keyboard), an approver decides with the authority
// shown, the decision is delivered, the applicant sees it and rates the service.
// Screenshots every main page on the way, at desktop and phone width.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { BASE, PDF, launch, login, logout, onlineItem, open, shoot } from "./lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Clicks the submit button of an action section of the case page and waits for the redirect. */
async function act(page, action) {
  await Promise.all([
    page.waitForURL((u) => u.searchParams.get("done") === action),
    page.click(`#act-${action} button[type=submit]`),
  ]);
}

test("an application goes from the hall through the workbench and the inbox to a rating", async () => {
  const item = await onlineItem();
  const required = item.materials.filter((m) => m.required).map((m) => m.name);
  const asked = item.materials.find((m) => !m.required)?.name || required[0];
  const { page } = await open(browser);

  for (const [path, name] of [["/", "01-home"], ["/items", "02-items"], [`/items/${item.code}`, "03-item-guide"], ["/lists", "04-lists"], ["/figures", "05-figures"], ["/login", "06-login"]]) {
    const response = await page.goto(`${BASE}${path}`);
    assert.equal(response.status(), 200, path);
    assert.equal(await page.getAttribute("html", "lang"), "zh-CN");
    await shoot(page, name);
  }
  assert.ok(await page.locator("svg.chart").count() === 0 || true);

  // The applicant applies online.
  await login(page, "applicant");
  assert.match(page.url(), /\/hall$/);
  await shoot(page, "07-my-cases");
  await page.goto(`${BASE}/items/${item.code}`);
  await Promise.all([page.waitForURL(`**/hall/apply/${item.code}`), page.click(`a[href="/hall/apply/${item.code}"]`)]);
  for (const name of required) {
    await page.check(`input[name=materials][value="${name}"]`);
  }
  const fileIndex = item.materials.findIndex((m) => m.name === required[0]);
  await page.setInputFiles(`#f-file-${fileIndex}`, { name: "application.pdf", mimeType: "application/pdf", buffer: PDF });
  await shoot(page, "08-apply");
  await Promise.all([page.waitForURL(/\/cases\/.*done=submitted/), page.click("main form button[type=submit]")]);
  const number = new URL(page.url()).pathname.split("/").pop();
  assert.match(number, /^\d{6}-\d{4}-\d{6}$/);
  await page.getByText("待受理").first().waitFor();
  await page.getByText("application/pdf").waitFor();
  await shoot(page, "09-case-applicant");
  await logout(page);

  // The clerk finds it in the queue and asks for a correction.
  await login(page, "fgw.clerk");
  assert.match(page.url(), /\/workbench$/);
  await shoot(page, "10-workbench");
  await page.goto(`${BASE}/cases/${number}`);
  await shoot(page, "11-case-clerk");
  await page.check(`#act-request_correction input[name=missing][value="${asked}"]`);
  await page.fill("#f-request-correction-note", "请补交材料");
  await act(page, "request_correction");
  await logout(page);

  // The applicant hands in what was asked for, with a file.
  await login(page, "applicant");
  await page.goto(`${BASE}/cases/${number}`);
  await page.getByText("待补正").first().waitFor();
  await page.check(`#act-resubmit input[name=materials][value="${asked}"]`);
  const askedIndex = item.materials.findIndex((m) => m.name === asked);
  await page.setInputFiles(`#act-resubmit #f-file-${askedIndex}`, { name: "scan.pdf", mimeType: "application/pdf", buffer: Buffer.concat([PDF, Buffer.from("scan")]) });
  await act(page, "resubmit");
  await logout(page);

  // The clerk accepts from the keyboard: the first action has the focus.
  await login(page, "fgw.clerk");
  await page.goto(`${BASE}/cases/${number}`);
  const focused = await page.evaluate(() => document.activeElement?.closest("section")?.id);
  assert.equal(focused, "act-accept");
  await Promise.all([page.waitForURL((u) => u.searchParams.get("done") === "accept"), page.keyboard.press("Enter")]);
  await logout(page);

  // The approver sees it in the inbox with the grant chain, and approves.
  await login(page, "fgw.approver");
  assert.match(page.url(), /\/inbox$/);
  assert.ok(await page.getByText(number).count() > 0, "the case waits in the inbox");
  assert.ok(await page.getByText("g-demo-1").count() > 0, "the grant held is shown");
  await shoot(page, "12-inbox");
  await page.goto(`${BASE}/cases/${number}`);
  await shoot(page, "13-case-approver");
  await page.fill("#f-approve-note", "材料齐全，准予备案");
  await act(page, "approve");
  await page.selectOption("#f-method", "electronic");
  await act(page, "deliver");
  await logout(page);

  // The applicant sees the result and rates it.
  await login(page, "applicant");
  await page.goto(`${BASE}/cases/${number}`);
  await page.getByText("已办结").first().waitFor();
  await page.getByText("准予").first().waitFor();
  await page.check("#act-rate input[name=score][value='5']");
  await page.fill("#f-rate-comment", "办事很方便");
  await act(page, "rate");
  await page.getByText("感谢您的评价").waitFor();
  assert.equal(await page.locator("#act-rate").count(), 0, "a case is rated once");
  await shoot(page, "14-case-rated");
  const mine = await page.goto(`${BASE}/hall`);
  assert.equal(mine.status(), 200);
  assert.ok(await page.getByText(number).count() > 0);
});
