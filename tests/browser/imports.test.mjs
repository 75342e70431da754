// Going live on the admin pages: an administrator uploads a sites file, sees the dry run
// (a bad file's rows in a table, in Chinese; a good file's rows and what each would do),
// publishes it, and finds the new site in the organisation.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, login, open, shoot } from "./lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const HEADER = "code,name,division,address,hours,phone\n";

async function upload(page, text) {
  await page.goto(`${BASE}/admin/imports`);
  await page.selectOption("#f-kind", "sites");
  await page.setInputFiles("#f-file", { name: "sites.csv", mimeType: "text/csv", buffer: Buffer.from(text) });
  await page.click("main form[action='/admin/imports'] button[type=submit]");
}

test("an administrator checks a sites file, sees its problems, then publishes it", async () => {
  const { page } = await open(browser);
  await login(page, "admin");

  await upload(page, `${HEADER}yz,榆中县政务服务大厅,629999,榆中县示例路 3 号,9:00-17:00,0931-5200000\n`);
  await page.locator("table.import-errors").waitFor();
  const bad = await page.locator("table.import-errors tbody tr").first().textContent();
  assert.match(bad, /2/, "the file's own line");
  assert.match(bad, /629999/);
  await shoot(page, "60-admin-import-refused");

  await upload(page, `${HEADER}yz,榆中县政务服务大厅,620123,榆中县示例路 3 号,9:00-17:00,0931-5200000\n`);
  await page.locator("table.import-rows").waitFor();
  assert.equal(await page.locator("table.import-rows tbody tr.effect-create").count(), 1, "one site to create");
  await shoot(page, "61-admin-import-dry-run");
  await Promise.all([
    page.waitForLoadState("load"),
    page.click("form[action='/admin/imports/publish'] button[type=submit]"),
  ]);
  await page.locator("table.import-counts").waitFor();

  await page.goto(`${BASE}/admin/org/sites`);
  await page.getByText("榆中县政务服务大厅").first().waitFor();
  await shoot(page, "62-admin-org-sites");
});
