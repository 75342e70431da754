// The language switch: zh-CN by default, English on request, remembered across pages.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, open, shoot } from "./lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("the language switch turns the pages to English and back", async () => {
  const { page } = await open(browser);
  await page.goto(`${BASE}/`);
  assert.equal(await page.getAttribute("html", "lang"), "zh-CN");
  await Promise.all([page.waitForURL(/lang=en/), page.click("header a.lang")]);
  assert.equal(await page.getAttribute("html", "lang"), "en");
  await page.getByRole("link", { name: "Service guides" }).first().waitFor();
  await page.click("nav a[href='/lists']");
  assert.equal(await page.getAttribute("html", "lang"), "en", "the choice is remembered");
  await page.getByRole("heading", { name: "The four lists" }).waitFor();
  await shoot(page, "30-lists-en");
  await page.goto(`${BASE}/kiosk`);
  await page.getByText("Find a service").waitFor();
  await page.goto(`${BASE}/login`);
  await page.fill("#f-login", "nobody");
  await page.fill("#f-password", "wrong password!");
  await page.click("main form button[type=submit]");
  await page.getByText("Wrong login name or password.").first().waitFor();
  await shoot(page, "31-login-error-en");
  await Promise.all([page.waitForURL(/lang=zh-CN/), page.click("header a.lang")]);
  assert.equal(await page.getAttribute("html", "lang"), "zh-CN");
  await page.getByText("用户名").first().waitFor();
});
