// The kiosk: large targets, item search and guide, case look-up by number and phone, and
// every page but the start goes back to the start after idle time.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { APPLICANT_PHONE, BASE, launch, onlineItem, open, shoot, submitOverApi } from "./lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("at the kiosk a visitor finds a guide and looks a case up", async () => {
  const item = await onlineItem();
  const number = await submitOverApi(item);
  const { page } = await open(browser);
  await page.goto(`${BASE}/kiosk`);
  for (const tile of await page.locator("a.big").all()) {
    const box = await tile.boundingBox();
    assert.ok(box.height >= 120 && box.width >= 200, "touch targets are large");
  }
  await shoot(page, "20-kiosk");

  await Promise.all([page.waitForURL("**/kiosk/items"), page.click("a.big[href='/kiosk/items']")]);
  assert.equal(await page.evaluate(() => document.activeElement?.id), "q", "the search box has the focus");
  await page.fill("#q", item.name.slice(0, 4));
  await Promise.all([page.waitForURL(/\/kiosk\/items\?q=/), page.press("#q", "Enter")]);
  await shoot(page, "21-kiosk-items");
  const refresh = await page.getAttribute("meta[http-equiv=refresh]", "content");
  assert.match(refresh, /^\d+;url=\/kiosk$/, "idle pages go back to the start");
  await page.click(".card h2 a");
  await page.locator("dl.facts").first().waitFor();
  // The guide says where, when and who: the item's facts, then each site's.
  assert.ok((await page.locator("dl.facts").count()) >= 2, "a site's address and hours are shown");
  await shoot(page, "22-kiosk-guide");
  await Promise.all([page.waitForURL(`${BASE}/kiosk`), page.click("a[href='/kiosk'].big-button")]);
  assert.equal(await page.locator("meta[http-equiv=refresh]").count(), 0, "the start page stays");

  await page.click("a.big[href='/kiosk/lookup']");
  await page.fill("#f-number", number);
  await page.fill("#f-phone", "13000000000");
  await page.click("main form button[type=submit]");
  await page.getByText("没有找到").waitFor();
  assert.equal(await page.inputValue("#f-number"), number);
  await shoot(page, "23-kiosk-lookup");
  await page.fill("#f-phone", APPLICANT_PHONE);
  await page.click("main form button[type=submit]");
  await page.getByText(number).first().waitFor();
  await page.getByText("待受理").first().waitFor();
  assert.equal(await page.getByText("91620100MA7LX0001Y").count(), 0, "no id number on a public screen");
  await shoot(page, "24-kiosk-result");
});
