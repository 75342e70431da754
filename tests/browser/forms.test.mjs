// Forms: bad input comes back with each error beside its field and what was typed kept;
// every visible field has a label; a good sign-up logs in.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, open, shoot } from "./lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("a sign-up with bad input shows the errors beside the fields and keeps what was typed", async () => {
  const { page } = await open(browser);
  await page.goto(`${BASE}/signup`);
  const unlabelled = await page.$$eval("main input:not([type=hidden]), main select, main textarea", (els) =>
    els.filter((el) => !(el.labels && el.labels.length) && !el.closest("label")).map((el) => el.name));
  assert.deepEqual(unlabelled, [], "every field has a label");
  await page.fill("#f-login", "Bad Name!");
  await page.fill("#f-password", "short");
  await page.fill("#f-name", "测试用户");
  await page.check("input[name=kind][value=enterprise]");
  await page.fill("#f-id-number", "123");
  await page.fill("#f-phone", "13912345678");
  await page.click("main form button[type=submit]");
  await page.locator("#err-login").waitFor();
  for (const id of ["login", "password", "id-number"]) {
    const error = page.locator(`#err-${id}`);
    assert.ok(await error.isVisible(), `an error for ${id}`);
    const field = page.locator(`#f-${id}`);
    assert.equal(await field.getAttribute("aria-invalid"), "true");
    assert.equal(await field.getAttribute("aria-describedby"), `err-${id}`);
    const [f, e] = [await field.boundingBox(), await error.boundingBox()];
    assert.ok(e.y >= f.y && e.y - (f.y + f.height) < 40, `the error for ${id} sits right under its field`);
  }
  assert.equal(await page.inputValue("#f-name"), "测试用户");
  assert.equal(await page.inputValue("#f-login"), "Bad Name!");
  assert.equal(await page.inputValue("#f-phone"), "13912345678");
  assert.equal(await page.inputValue("#f-password"), "", "a password is never sent back");
  assert.ok(await page.isChecked("input[name=kind][value=enterprise]"));
  assert.equal(await page.evaluate(() => document.activeElement?.id), "f-login", "the first bad field has the focus");
  await shoot(page, "15-signup-errors");

  const login = `e2e${Date.now()}`;
  await page.fill("#f-login", login);
  await page.fill("#f-password", "long-enough-password");
  await page.check("input[name=kind][value=individual]");
  await page.fill("#f-id-number", "620102199001011233");
  await Promise.all([page.waitForURL("**/hall?done=signed_up"), page.click("main form button[type=submit]")]);
  await page.getByText("注册成功").waitFor();
});

test("a wrong password keeps the login name and says so", async () => {
  const { page } = await open(browser);
  await page.goto(`${BASE}/login`);
  await page.fill("#f-login", "applicant");
  await page.fill("#f-password", "wrong password");
  await page.click("main form button[type=submit]");
  await page.getByText("用户名或密码不正确").first().waitFor();
  assert.equal(await page.inputValue("#f-login"), "applicant");
});
