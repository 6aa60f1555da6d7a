// The web client in a real browser (Debian chromium driven by playwright-core) against the whole
// system on free ports, served by the gateway exactly as `npm run up` serves it. Several browser
// contexts are several people: a buyer buys a car, a driver delivers it, and the buyer's page
// follows every step live (graphql-ws subscriptions) without a reload; a seller sells a car to the
// dealer and follows it to the lot and the listing; staff decide on offers and run the workshop; a
// buyer returns a delivered car.
//
// SCREENSHOTS_DIR=docs/screenshots (root script `pnpm screenshots`) saves each role's main page
// there; otherwise screenshots go to a temp directory so tests never dirty the work tree.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD, eventually, TestSystem } from "../../gateway/test/support/harness.ts";
import { buyWhenKnown, Q, randomVin, settled, VehiclePicker } from "../../gateway/test/support/junggo.ts";

const REPO = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const WEB_DIST = join(REPO, "web/dist");
const CHROMIUM = process.env.CHROMIUM_BIN ?? "/usr/bin/chromium";
// ENGINEERING.md, "Browser tests".
const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
const VIEWPORT = { width: 1366, height: 900 };

const UI_TIMEOUT = 20_000;
const DECLINE_ABOVE_KRW = 900_000_000;

let sys: TestSystem;
let browser: Browser;
let baseUrl: string;
let shotsDir: string;
let tempShots: string | undefined;
const contexts: BrowserContext[] = [];

/** A fresh browser profile (own localStorage): one person. */
async function person(): Promise<Page> {
  const ctx = await browser.newContext({ viewport: VIEWPORT, locale: "en-GB", timezoneId: "Asia/Seoul" });
  ctx.setDefaultTimeout(UI_TIMEOUT);
  contexts.push(ctx);
  const page = await ctx.newPage();
  page.on("pageerror", (err) => console.error(`[browser] ${err.message}`));
  return page;
}

async function logIn(page: Page, email: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto(baseUrl);
  await page.getByTestId("login-email").fill(email);
  await page.getByTestId("login-password").fill(password);
  await page.getByTestId("login-submit").click();
  await page.getByTestId("app").waitFor();
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(shotsDir, `${name}.png`), fullPage: true, animations: "disabled" });
}

/** Marks the page's JS realm and counts main-frame navigations: both prove "no reload" later. */
async function watchForReloads(page: Page): Promise<() => Promise<{ marker: unknown; navigations: number }>> {
  let navigations = 0;
  page.on("framenavigated", (f) => {
    if (f === page.mainFrame()) navigations++;
  });
  await page.evaluate(() => {
    (window as unknown as { __junggoMarker: string }).__junggoMarker = "still-here";
  });
  return async () => ({
    marker: await page.evaluate(() => (window as unknown as { __junggoMarker?: string }).__junggoMarker),
    navigations,
  });
}

/**
 * Presses Buy on the open vehicle detail until the API answers with something other than
 * VEHICLE_NOT_FOUND (purchase learns of a just-registered car from stock's event a moment later).
 */
async function pressBuy(page: Page): Promise<{ ok: true } | { ok: false; code: string; message: string }> {
  const deadline = Date.now() + 30_000;
  for (let attempt = 1; ; attempt++) {
    await page.getByTestId("buy-button").click();
    const outcome = await Promise.race([
      page
        .getByTestId("buy-success")
        .waitFor()
        .then(() => "ok" as const),
      page
        .locator(`[data-testid="buy-error"][data-attempt="${attempt}"]`)
        .waitFor()
        .then(() => "error" as const),
    ]);
    if (outcome === "ok") return { ok: true };
    const error = page.getByTestId("buy-error");
    const code = (await error.getAttribute("data-code")) ?? "";
    if (code !== "VEHICLE_NOT_FOUND" || Date.now() > deadline)
      return { ok: false, code, message: (await error.textContent()) ?? "" };
    await page.waitForTimeout(300);
  }
}

// The seller side, the workshop and returns, read and driven through the API next to the pages.
const SQ = {
  requestQuote: `mutation ($input: QuoteInput!) { requestQuote(input: $input) { id offerKrw comparableCount validUntil } }`,
  submit: `mutation ($quoteId: ID!) { submitSellRequest(quoteId: $quoteId) { id status } }`,
  quote: `query ($id: ID!) { quote(id: $id) { id offerKrw comparableCount } }`,
  sellRequest: `query ($id: ID!) { sellRequest(id: $id) { id status rejectReason cancelReason
    payout { status amountKrw } vehicle { id status } } }`,
  jobs: `{ openConsignments { id purchaseId sellRequestId kind status } }`,
};

/** A PENDING sell request of the demo seller, made through the API. */
async function offerCar(token: string): Promise<string> {
  const quote = (
    await sys.ok(
      SQ.requestQuote,
      {
        input: {
          vin: randomVin(),
          make: "Kia",
          model: "Morning",
          year: 2018,
          mileageKm: 61_000,
          condition: "FAIR",
        },
      },
      token,
    )
  ).requestQuote;
  return (await sys.ok(SQ.submit, { quoteId: quote.id }, token)).submitSellRequest.id;
}

const fakeJwt = (payload: Record<string, unknown>) =>
  `${[{ alg: "HS256", typ: "JWT" }, payload].map((p) => Buffer.from(JSON.stringify(p)).toString("base64url")).join(".")}.c2lnbmF0dXJl`;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) or set CHROMIUM_BIN. npm test installs it when run as root.`,
    );
  }
  if (!existsSync(join(WEB_DIST, "index.html"))) {
    const r = spawnSync("pnpm", ["--filter", "@junggo/web", "build"], { cwd: REPO, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`building the web client failed:\n${r.stdout}${r.stderr}`);
  }
  const dir = process.env.SCREENSHOTS_DIR;
  if (dir) shotsDir = isAbsolute(dir) ? dir : join(REPO, dir);
  else shotsDir = tempShots = mkdtempSync(join(tmpdir(), "junggo-shots-"));
  mkdirSync(shotsDir, { recursive: true });

  sys = await TestSystem.start({
    serviceEnv: {
      gateway: { WEB_DIST_DIR: WEB_DIST },
      billing: { PAYMENT_SANDBOX_DECLINE_ABOVE_KRW: String(DECLINE_ABOVE_KRW) },
    },
  });
  baseUrl = sys.stack.gatewayUrl.replace(/\/graphql$/, "/");
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close().catch(() => {});
  await sys?.stop();
  if (tempShots) rmSync(tempShots, { recursive: true, force: true });
});

describe("web client in chromium", () => {
  it("is served by the gateway next to /graphql, with a fallback to the app for client-side paths", async () => {
    const root = await fetch(baseUrl);
    expect(root.status).toBe(200);
    expect(await root.text()).toContain('<div id="root">');
    const deep = await fetch(new URL("/purchases/123", baseUrl), { headers: { accept: "text/html" } });
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain('<div id="root">');
  });

  it("refuses a wrong password with a clear message", async () => {
    const page = await person();
    await page.goto(baseUrl);
    await page.getByTestId("demo-buyer").waitFor();
    await shot(page, "login");
    await page.getByTestId("demo-buyer").click(); // fills the demo email and password
    expect(await page.getByTestId("login-email").inputValue()).toBe("buyer@junggo.test");
    await page.getByTestId("login-password").fill("not-the-password");
    await page.getByTestId("login-submit").click();
    await expect
      .poll(() => page.getByTestId("login-error").textContent())
      .toContain("Wrong email or password");
    expect(await page.getByTestId("app").count()).toBe(0);
    expect(await page.evaluate(() => localStorage.getItem("junggo.token"))).toBeNull();
  });

  it("sends a visitor with an expired or rejected token to the login page with the expiry message", async () => {
    const page = await person();
    await page.goto(baseUrl);
    await page.getByTestId("login-form").waitFor();

    // Expired by its own `exp`: decided in the browser.
    const expired = fakeJwt({ sub: "someone", role: "BUYER", exp: Math.floor(Date.now() / 1000) - 60 });
    await page.evaluate((t) => localStorage.setItem("junggo.token", t), expired);
    await page.reload();
    await expect.poll(() => page.getByTestId("login-notice").textContent()).toContain("session has expired");
    expect(await page.evaluate(() => localStorage.getItem("junggo.token"))).toBeNull();

    // Not expired by its claim, but the API does not accept it (UNAUTHENTICATED).
    const forged = fakeJwt({ sub: "someone", role: "STAFF", exp: Math.floor(Date.now() / 1000) + 3600 });
    await page.evaluate((t) => localStorage.setItem("junggo.token", t), forged);
    await page.reload();
    await expect.poll(() => page.getByTestId("login-notice").textContent()).toContain("session has expired");
    expect(await page.getByTestId("app").count()).toBe(0);
    expect(await page.evaluate(() => localStorage.getItem("junggo.token"))).toBeNull();
  });

  it("a buyer buys, a driver delivers, and the buyer's page shows every status live without a reload", {
    timeout: 240_000,
  }, async () => {
    const driver = await person();
    await logIn(driver, "driver@junggo.test");
    const driverName = (await driver.getByTestId("account-name").textContent())!.trim();
    const driverReloads = await watchForReloads(driver);

    const buyer = await person();
    await logIn(buyer, "buyer@junggo.test");
    const cards = buyer.getByTestId("vehicle-card");
    await cards.first().waitFor();
    expect(await buyer.getByTestId("result-count").textContent()).toMatch(/\d+ cars?/);
    expect(await cards.first().textContent()).toMatch(/₩\d{1,3}(,\d{3})+/);

    // Filters and pagination reach the API: at most 12 cars a page, and page 2 is another page.
    await expect.poll(() => buyer.getByTestId("page-info").textContent()).toMatch(/Page 1 of \d+/);
    const firstPageIds = await cards.evaluateAll((els) => els.map((e) => e.getAttribute("data-vehicle-id")));
    await buyer.getByTestId("page-next").click();
    await expect.poll(() => buyer.getByTestId("page-info").textContent()).toMatch(/Page 2 of/);
    await expect
      .poll(async () =>
        (await cards.evaluateAll((els) => els.map((e) => e.getAttribute("data-vehicle-id")))).some((id) =>
          firstPageIds.includes(id),
        ),
      )
      .toBe(false);
    await buyer.getByTestId("page-prev").click();
    await buyer.getByTestId("filter-max-price").fill("1"); // ₩1,000,000: nothing that cheap
    await buyer.getByTestId("filter-submit").click();
    await buyer.getByTestId("no-results").waitFor();
    await buyer.getByTestId("filter-max-price").fill("");
    await buyer.getByTestId("filter-submit").click();
    await cards.first().waitFor();

    const buyerReloads = await watchForReloads(buyer);

    // Open a car and buy it (a just-seeded car may not be purchasable for a moment: VEHICLE_NOT_FOUND).
    const card = cards.first();
    const vehicleId = (await card.getAttribute("data-vehicle-id"))!;
    await card.click();
    await buyer.getByTestId("buy-button").waitFor();
    await shot(buyer, "buyer");
    const row = buyer.locator(`[data-testid="purchase-row"]`).first();
    expect(await pressBuy(buyer)).toEqual({ ok: true });

    // The page switched to "My purchases" by itself: PAID, payment approved.
    await row.waitFor();
    const purchaseId = (await row.getAttribute("data-purchase-id"))!;
    const mine = buyer.locator(`[data-testid="purchase-row"][data-purchase-id="${purchaseId}"]`);
    const field = (id: string): Locator => mine.getByTestId(id);
    await expect.poll(() => field("purchase-status").getAttribute("data-value")).toBe("PAID");
    expect(await field("payment-status").textContent()).toBe("Approved");
    expect(await buyer.getByTestId("buy-success").textContent()).toContain("₩");

    // The driver's open jobs list receives the new delivery job live.
    const job = driver.locator(`[data-testid="open-job"][data-purchase-id="${purchaseId}"]`);
    await job.waitFor();
    // Meanwhile the buyer sees the delivery being requested.
    await expect.poll(() => field("consignment-status").textContent()).toBe("Requested");
    await shot(driver, "driver");

    // Accept: the buyer sees the driver's name and the ETA.
    await job.getByTestId("accept-button").click();
    const myJob = driver.locator(`[data-testid="my-job"][data-purchase-id="${purchaseId}"]`);
    await expect.poll(() => myJob.getAttribute("data-status")).toBe("ASSIGNED");
    await expect.poll(() => field("consignment-status").textContent()).toBe("Assigned");
    await expect.poll(() => field("driver-name").textContent()).toBe(driverName);
    const eta = await field("eta").getAttribute("data-eta");
    expect(eta && Date.parse(eta)).toBeGreaterThan(Date.now());
    expect(await field("eta").textContent()).toMatch(/\d{2}:\d{2}/);
    expect(await field("purchase-status").getAttribute("data-value")).toBe("PAID");
    await shot(buyer, "buyer-live");

    // Pick up: the car is on its way.
    await myJob.getByTestId("pickup-button").click();
    await expect.poll(() => field("purchase-status").getAttribute("data-value")).toBe("DELIVERING");
    await expect.poll(() => field("consignment-status").textContent()).toBe("Picked up");

    // Deliver.
    await myJob.getByTestId("deliver-button").click();
    await expect.poll(() => field("purchase-status").getAttribute("data-value")).toBe("DELIVERED");
    await expect.poll(() => field("consignment-status").textContent()).toBe("Delivered");
    expect(await mine.getByTestId("cancel-button").count()).toBe(0);

    // All of it arrived on the page that was open when the car was bought.
    expect(await buyerReloads()).toEqual({ marker: "still-here", navigations: 0 });
    expect(await driverReloads()).toEqual({ marker: "still-here", navigations: 0 });
    expect(await buyer.getByTestId("live-indicator").getAttribute("data-state")).toBe("live");

    // The API agrees with what the page shows.
    const token = await sys.login("buyer@junggo.test");
    const api = (await sys.ok(Q.purchase, { id: purchaseId }, token)).purchase;
    expect(api).toMatchObject({
      status: "DELIVERED",
      vehicle: { id: vehicleId },
      consignment: { status: "DELIVERED", driver: { name: driverName } },
    });

    // The inbox got the news live (the notification context): unread badge, list, mark one and
    // then all read.
    const badge = buyer.getByTestId("notif-count");
    await settled(sys);
    const unread = (
      await sys.ok<{ unreadNotificationCount: number }>(`{ unreadNotificationCount }`, {}, token)
    ).unreadNotificationCount;
    expect(unread).toBeGreaterThanOrEqual(3); // paid, driver assigned, on the way, delivered
    await expect.poll(async () => Number((await badge.count()) ? await badge.textContent() : 0)).toBe(unread);
    await buyer.getByTestId("notif-bell").click();
    const items = buyer.getByTestId("notif-item");
    expect(await items.count()).toBeGreaterThanOrEqual(unread);
    await shot(buyer, "buyer-notifications");
    await items.first().getByTestId("notif-mark-read").click();
    await expect.poll(() => badge.textContent()).toBe(String(unread - 1));
    expect(await items.first().getAttribute("data-read")).toBe("true");
    await buyer.getByTestId("notif-mark-all").click();
    await expect.poll(() => badge.count()).toBe(0);
    await buyer.getByTestId("notif-bell").click();
  });

  it("a buyer cancels before delivery: cancelled and refunded, live", { timeout: 120_000 }, async () => {
    const buyer = await person();
    await logIn(buyer, "buyer2@junggo.test");
    const reloads = await watchForReloads(buyer);
    await buyer.getByTestId("vehicle-card").nth(1).click();
    expect(await pressBuy(buyer)).toEqual({ ok: true });
    const row = buyer.locator(`[data-testid="purchase-row"]`).first();
    await expect.poll(() => row.getByTestId("purchase-status").getAttribute("data-value")).toBe("PAID");

    await row.getByTestId("cancel-button").click();
    await row.getByTestId("cancel-reason").fill("Changed my mind");
    await row.getByTestId("cancel-confirm").click();
    await expect.poll(() => row.getByTestId("purchase-status").getAttribute("data-value")).toBe("CANCELLED");
    // The refund is settled with the payment provider after the cancellation; it arrives live.
    await expect
      .poll(() => row.getByTestId("payment-status").textContent(), { timeout: 30_000 })
      .toBe("Refunded");
    expect(await row.getByTestId("cancel-button").count()).toBe(0);
    expect(await reloads()).toEqual({ marker: "still-here", navigations: 0 });
  });

  it("explains a failed purchase: car just taken by someone else, card declined; nothing is bought", {
    timeout: 120_000,
  }, async () => {
    const buyer = await person();
    await logIn(buyer, "buyer2@junggo.test");
    const before = (await sys.ok(Q.myPurchases, {}, await sys.login("buyer2@junggo.test"))).myPurchases
      .length;

    // Another buyer takes the car while this page shows it as available.
    const card = buyer.getByTestId("vehicle-card").nth(2);
    const takenId = (await card.getAttribute("data-vehicle-id"))!;
    await card.click();
    await buyer.getByTestId("buy-button").waitFor();
    await sys.ok(Q.requestPurchase, { vehicleId: takenId }, await sys.login("buyer@junggo.test"));
    const taken = await pressBuy(buyer);
    expect(taken).toMatchObject({ ok: false, code: "VEHICLE_NOT_AVAILABLE" });
    expect(taken.ok || taken.message).toContain("just reserved or sold to someone else");
    await expect.poll(() => buyer.getByTestId("buy-button").textContent()).toBe("Not available");

    // The payment provider declines this one (PAYMENT_SANDBOX_DECLINE_ABOVE_KRW).
    const staffToken = await sys.login("staff@junggo.test");
    const pricey = (
      await sys.ok(
        Q.registerVehicle,
        {
          input: {
            vin: randomVin(),
            make: "Genesis",
            model: "Declined",
            year: 2024,
            mileageKm: 10,
            priceKrw: DECLINE_ABOVE_KRW + 1_000_000,
          },
        },
        staffToken,
      )
    ).registerVehicle;
    await buyer.getByTestId("filter-model").fill("Declined");
    await buyer.getByTestId("filter-submit").click();
    await buyer.locator(`[data-testid="vehicle-card"][data-vehicle-id="${pricey.id}"]`).click();
    await buyer.locator(`[data-testid="vehicle-detail"][data-vehicle-id="${pricey.id}"]`).waitFor();
    const declined = await pressBuy(buyer);
    expect(declined).toMatchObject({ ok: false, code: "PAYMENT_DECLINED" });
    expect(declined.ok || declined.message).toContain("Nothing was charged");

    expect((await sys.ok(Q.myPurchases, {}, await sys.login("buyer2@junggo.test"))).myPurchases.length).toBe(
      before,
    );
  });

  it("staff register a vehicle (field errors shown), see it in stock and every purchase live", {
    timeout: 120_000,
  }, async () => {
    const staff = await person();
    await logIn(staff, "staff@junggo.test");
    await staff.getByTestId("stock-row").first().waitFor();
    await staff.getByTestId("purchase-row").first().waitFor(); // the purchases of the tests above

    const model = `Browser${Date.now().toString(36).slice(-5)}`;
    const fill = async (values: Record<string, string>) => {
      for (const [k, v] of Object.entries(values)) await staff.getByTestId(`reg-${k}`).fill(v);
    };
    // The API refuses the VIN: the message stands next to the field.
    await fill({
      vin: "SHORT",
      make: "Kia",
      model,
      year: "2022",
      mileageKm: "12000",
      priceKrw: "23500000",
      color: "White",
      fuel: "Hybrid",
    });
    await staff.getByTestId("register-submit").click();
    await staff.getByTestId("field-error-vin").waitFor();
    expect(await staff.getByTestId("register-success").count()).toBe(0);

    await fill({ vin: randomVin() });
    await staff.getByTestId("register-submit").click();
    await expect
      .poll(() => staff.getByTestId("register-success").textContent())
      .toContain(`2022 Kia ${model}`);
    expect(await staff.getByTestId("field-error-vin").count()).toBe(0);
    const line = staff.locator(`[data-testid="stock-row"][data-make="Kia"][data-model="${model}"]`);
    await expect.poll(() => line.getByTestId("stock-available").textContent()).toBe("1");

    // A purchase made now shows up in the staff list without a reload.
    const reloads = await watchForReloads(staff);
    const buyerToken = await sys.login("buyer2@junggo.test");
    const vehicles = (
      await sys.ok(Q.vehicles, { filter: { status: "AVAILABLE", make: "Kia", model } }, buyerToken)
    ).vehicles;
    const vehicleId = vehicles.edges[0].node.id as string;
    let bought: { data?: { requestPurchase: { id: string } }; errors?: unknown[] } = {};
    // Purchase learns of the new car from stock's event: on a machine busy with other test stacks
    // that can take a while, so the buyer tries again (for up to a minute) while it says so.
    for (const until = Date.now() + 60_000; Date.now() < until; ) {
      bought = await sys.gql(Q.requestPurchase, { vehicleId }, buyerToken);
      if (!bought.errors) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(bought.errors, "the purchase of the newly registered car").toBeUndefined();
    const purchaseId = bought.data!.requestPurchase.id;
    const row = staff.locator(`[data-testid="purchase-row"][data-purchase-id="${purchaseId}"]`);
    await row.waitFor();
    expect(await row.getByTestId("purchase-buyer").textContent()).toBeTruthy();
    await expect.poll(() => line.getByTestId("stock-available").textContent()).toBe("0");
    expect(await reloads()).toEqual({ marker: "still-here", navigations: 0 });
    await staff.evaluate(() => window.scrollTo(0, 0));
    await shot(staff, "staff");
  });

  it("a seller gets a quote, sells the car, and follows acceptance, pickup, inspection and listing live", {
    timeout: 300_000,
  }, async () => {
    const seller = await person();
    await logIn(seller, "seller@junggo.test");
    // The seller lands on the seller's page, not on a read-only buyer page.
    expect(await seller.getByTestId("role").textContent()).toBe("seller");
    await seller.getByTestId("quote-form").waitFor();
    expect(await seller.getByTestId("tab-purchases").count()).toBe(0);
    const sellerReloads = await watchForReloads(seller);

    // Wrong values are named next to their fields, before anything is asked of the API.
    const fill = async (values: Record<string, string>) => {
      for (const [k, v] of Object.entries(values)) await seller.getByTestId(`quote-${k}`).fill(v);
    };
    await fill({
      vin: "KMHD341CBKU51273I",
      make: "Hyundai",
      model: "Avante",
      year: "1975",
      mileageKm: "52000",
    });
    await seller.getByTestId("quote-condition").selectOption("GOOD");
    await seller.getByTestId("quote-submit").click();
    await seller.getByTestId("field-error-vin").waitFor();
    expect(await seller.getByTestId("field-error-year").textContent()).toContain("1980");
    expect(await seller.getByTestId("quote").count()).toBe(0);

    // The offer, how it was computed, from how many comparable cars, and until when it holds.
    await fill({ vin: randomVin(), year: "2019" });
    await seller.getByTestId("quote-submit").click();
    const quote = seller.getByTestId("quote");
    await quote.waitFor();
    expect(await seller.getByTestId("field-error-vin").count()).toBe(0);
    const quoteId = (await quote.getAttribute("data-quote-id"))!;
    const offerText = (await seller.getByTestId("quote-offer").textContent())!;
    expect(offerText).toMatch(/^₩\d{1,3}(,\d{3})+$/);
    expect((await seller.getByTestId("quote-basis").textContent())!.trim().length).toBeGreaterThan(10);
    const validUntil = Date.parse(
      (await seller.getByTestId("quote-valid-until").getAttribute("data-valid-until"))!,
    );
    expect(validUntil - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    expect(validUntil - Date.now()).toBeLessThanOrEqual(7 * 86_400_000);
    const sellerToken = await sys.login("seller@junggo.test");
    const apiQuote = (await sys.ok(SQ.quote, { id: quoteId }, sellerToken)).quote;
    expect(offerText).toBe(`₩${apiQuote.offerKrw.toLocaleString("ko-KR")}`);
    expect(await seller.getByTestId("quote-comparables").textContent()).toBe(
      apiQuote.comparableCount === 0 ? "none (a general estimate)" : String(apiQuote.comparableCount),
    );
    await shot(seller, "seller-quote");

    // Sell to Junggo: the page switches to "My sell requests" with the request PENDING.
    await seller.getByTestId("sell-submit").click();
    await seller.getByTestId("sell-success").waitFor();
    const first = seller.getByTestId("sell-request-row").first();
    await first.waitFor();
    const sellRequestId = (await first.getAttribute("data-sell-request-id"))!;
    const mine = seller.locator(`[data-testid="sell-request-row"][data-sell-request-id="${sellRequestId}"]`);
    const field = (id: string): Locator => mine.getByTestId(id);
    expect(await field("sell-request-status").getAttribute("data-value")).toBe("PENDING");
    expect(await field("sell-request-vehicle").textContent()).toBe("2019 Hyundai Avante");
    expect(await mine.getByTestId("cancel-sell-button").count()).toBe(1);

    // Staff see the offer and accept it.
    const staff = await person();
    await logIn(staff, "staff@junggo.test");
    const pending = staff.locator(
      `[data-testid="pending-sell-request"][data-sell-request-id="${sellRequestId}"]`,
    );
    await pending.waitFor();
    expect(await pending.getByTestId("pending-offer").textContent()).toBe(offerText);
    await shot(staff, "staff-sell-requests");
    await pending.getByTestId("accept-sell-button").click();
    await expect.poll(() => staff.getByTestId("sell-decision").getAttribute("data-status")).toBe("ACCEPTED");
    await expect.poll(() => pending.count()).toBe(0);

    // The seller's page follows without a reload.
    await expect.poll(() => field("sell-request-status").getAttribute("data-value")).toBe("ACCEPTED");

    // A driver sees the pickup job with its kind, takes it and picks the car up.
    const driver = await person();
    await logIn(driver, "driver@junggo.test");
    const job = driver.locator(`[data-testid="open-job"][data-sell-request-id="${sellRequestId}"]`);
    await job.waitFor();
    expect(await job.getAttribute("data-kind")).toBe("SELLER_PICKUP");
    expect(await job.getByTestId("job-kind").textContent()).toBe("Pickup: from a seller to the lot");
    await shot(driver, "driver-seller-pickup");
    await job.getByTestId("accept-button").click();
    const myJob = driver.locator(`[data-testid="my-job"][data-sell-request-id="${sellRequestId}"]`);
    await expect.poll(() => myJob.getAttribute("data-status")).toBe("ASSIGNED");
    await myJob.getByTestId("pickup-button").click();
    await expect.poll(() => field("sell-request-status").getAttribute("data-value")).toBe("PICKED_UP");
    await expect.poll(() => field("pickup-status").getAttribute("data-value")).toBe("PICKED_UP");
    // The seller was paid the offer when staff accepted.
    await expect.poll(() => field("payout-status").getAttribute("data-value")).toBe("PAID");
    expect(await field("payout-status").textContent()).toContain(offerText);
    // On the road the sale cannot be cancelled.
    expect(await mine.getByTestId("cancel-sell-button").count()).toBe(0);

    // Delivered to the lot: the car is in stock (IN_REPAIR) and an inspection order is open.
    expect(await myJob.getByTestId("deliver-button").textContent()).toBe("Delivered to lot");
    await myJob.getByTestId("deliver-button").click();
    await expect
      .poll(() => field("sell-request-status").getAttribute("data-value"), { timeout: 60_000 })
      .toBe("IN_INSPECTION");
    await expect
      .poll(() => field("listed-vehicle").getAttribute("data-vehicle-id"), { timeout: 60_000 })
      .not.toBe("");
    const vehicleId = (await field("listed-vehicle").getAttribute("data-vehicle-id"))!;
    expect(await mine.getByTestId("cancel-sell-button").count()).toBe(1);

    // Staff complete the inspection in the workshop: the car is listed.
    const inspection = staff.locator(
      `[data-testid="repair-order"][data-vehicle-id="${vehicleId}"][data-kind="INSPECTION"]`,
    );
    await expect
      .poll(
        async () => {
          await staff.getByTestId("repair-refresh").click();
          return inspection.getAttribute("data-status", { timeout: 1_000 }).catch(() => null);
        },
        { timeout: 60_000 },
      )
      .toBe("OPEN");
    await inspection.getByTestId("repair-complete-button").click();
    await inspection.getByTestId("repair-notes").fill("Inspected: tyres and brakes fine");
    await inspection.getByTestId("repair-complete-confirm").click();
    await expect.poll(() => inspection.getAttribute("data-status")).toBe("COMPLETED");
    await expect
      .poll(() => field("sell-request-status").getAttribute("data-value"), { timeout: 60_000 })
      .toBe("LISTED");
    await expect.poll(() => field("listed-vehicle").textContent()).toMatch(/^Listed at ₩\d{1,3}(,\d{3})+$/);
    await shot(seller, "seller");

    // All of it arrived on the page that was open when the car was offered.
    expect(await sellerReloads()).toEqual({ marker: "still-here", navigations: 0 });

    // The API agrees with what the page shows.
    const api = (await sys.ok(SQ.sellRequest, { id: sellRequestId }, sellerToken)).sellRequest;
    expect(api).toMatchObject({
      status: "LISTED",
      payout: { status: "PAID", amountKrw: apiQuote.offerKrw },
      vehicle: { id: vehicleId, status: "AVAILABLE" },
    });
  });

  it("staff reject an offer with a reason the seller reads; the seller withdraws another; both live", {
    timeout: 120_000,
  }, async () => {
    const sellerToken = await sys.login("seller@junggo.test");
    const seller = await person();
    await logIn(seller, "seller@junggo.test");
    await seller.getByTestId("tab-sell-requests").click();
    const staff = await person();
    await logIn(staff, "staff@junggo.test");
    await staff.getByTestId("pending-sell-requests").waitFor();
    const reloads = await watchForReloads(seller);

    // Offered after both pages opened: they arrive live on each.
    const rejectedId = await offerCar(sellerToken);
    const withdrawnId = await offerCar(sellerToken);
    const row = (id: string) =>
      seller.locator(`[data-testid="sell-request-row"][data-sell-request-id="${id}"]`);
    const pending = (id: string) =>
      staff.locator(`[data-testid="pending-sell-request"][data-sell-request-id="${id}"]`);
    await row(rejectedId).waitFor();
    await row(withdrawnId).waitFor();
    await pending(rejectedId).waitFor();
    await pending(withdrawnId).waitFor();

    // A rejection needs a reason.
    await pending(rejectedId).getByTestId("reject-sell-button").click();
    await pending(rejectedId).getByTestId("reject-confirm").click();
    expect(await pending(rejectedId).getByTestId("reject-reason-error").textContent()).toBe(
      "Please give a reason.",
    );
    await pending(rejectedId)
      .getByTestId("reject-reason-input")
      .fill("Flood damage is visible in the photos");
    await pending(rejectedId).getByTestId("reject-confirm").click();
    await expect.poll(() => staff.getByTestId("sell-decision").getAttribute("data-status")).toBe("REJECTED");
    await expect.poll(() => pending(rejectedId).count()).toBe(0);
    await expect
      .poll(() => row(rejectedId).getByTestId("sell-request-status").getAttribute("data-value"))
      .toBe("REJECTED");
    expect(await row(rejectedId).getByTestId("reject-reason").textContent()).toContain("Flood damage");
    expect(await row(rejectedId).getByTestId("cancel-sell-button").count()).toBe(0);

    // The seller withdraws the other one while it waits; it leaves the staff's list live.
    await row(withdrawnId).getByTestId("cancel-sell-button").click();
    await row(withdrawnId).getByTestId("cancel-sell-reason").fill("Sold it privately");
    await row(withdrawnId).getByTestId("cancel-sell-confirm").click();
    await expect
      .poll(() => row(withdrawnId).getByTestId("sell-request-status").getAttribute("data-value"))
      .toBe("CANCELLED");
    await expect.poll(() => pending(withdrawnId).count()).toBe(0);
    expect(await row(withdrawnId).getByTestId("cancel-sell-button").count()).toBe(0);
    expect(await reloads()).toEqual({ marker: "still-here", navigations: 0 });

    const [rejected, withdrawn] = await Promise.all(
      [rejectedId, withdrawnId].map(
        async (id) => (await sys.ok(SQ.sellRequest, { id }, sellerToken)).sellRequest,
      ),
    );
    expect(rejected).toMatchObject({
      status: "REJECTED",
      rejectReason: "Flood damage is visible in the photos",
    });
    expect(withdrawn).toMatchObject({ status: "CANCELLED", cancelReason: "Sold it privately", payout: null });
  });

  it("staff send a car to the workshop, where nobody can buy it, and bring it back for sale", {
    timeout: 120_000,
  }, async () => {
    const car = await new VehiclePicker(sys).next();
    const staff = await person();
    await logIn(staff, "staff@junggo.test");
    await staff.getByTestId("repair-form").waitFor();

    await staff.getByTestId("repair-vehicle-id").fill(car.id);
    await staff.getByTestId("repair-open").click();
    expect(await staff.getByTestId("field-error-description").textContent()).toBe(
      "Please give a description.",
    );
    await staff.getByTestId("repair-description").fill("Replace the front brake pads");
    await staff.getByTestId("repair-open").click();
    const opened = staff.getByTestId("repair-opened");
    await opened.waitFor();
    const orderId = (await opened.getAttribute("data-repair-order-id"))!;
    const order = staff.locator(`[data-testid="repair-order"][data-repair-order-id="${orderId}"]`);
    await expect.poll(() => order.getAttribute("data-status")).toBe("OPEN");
    expect(await order.getAttribute("data-vehicle-id")).toBe(car.id);
    expect(await order.getAttribute("data-kind")).toBe("REPAIR");

    // In the workshop: not purchasable, IN_REPAIR in stock, and no second order.
    const buyerToken = await sys.login("buyer2@junggo.test");
    const refused = await sys.gql(Q.requestPurchase, { vehicleId: car.id }, buyerToken);
    expect(refused.errors?.[0]?.extensions?.code).toBe("VEHICLE_NOT_AVAILABLE");
    await eventually(
      async () => (await sys.ok(Q.vehicle, { id: car.id })).vehicle.status === "IN_REPAIR",
      "stock to show the car IN_REPAIR",
    );
    await staff.getByTestId("repair-vehicle-id").fill(car.id);
    await staff.getByTestId("repair-description").fill("A second order on the same car");
    await staff.getByTestId("repair-open").click();
    await expect
      .poll(() => staff.getByTestId("repair-error").textContent())
      .toContain("cannot go to the workshop");
    await staff.evaluate(() => window.scrollTo(0, 0));
    await shot(staff, "staff-workshop");

    // Completed: the notes stay on the order, and the car is for sale again.
    await order.getByTestId("repair-complete-button").click();
    await order.getByTestId("repair-notes").fill("Pads replaced, test drive OK");
    await order.getByTestId("repair-complete-confirm").click();
    await expect.poll(() => order.getAttribute("data-status")).toBe("COMPLETED");
    expect(await order.getByTestId("repair-notes-text").textContent()).toContain("Pads replaced");
    await eventually(
      async () => (await sys.ok(Q.vehicle, { id: car.id })).vehicle.status === "AVAILABLE",
      "stock to show the car AVAILABLE again",
    );
    const bought = await eventually(async () => {
      const r = await sys.gql(Q.requestPurchase, { vehicleId: car.id }, buyerToken);
      return r.errors ? null : r;
    }, "the repaired car to be purchasable again");
    expect(bought.data.requestPurchase.status).toBe("PAID");
  });

  it("a buyer returns a delivered car within 3 days: a driver fetches it, the buyer is refunded, live", {
    timeout: 180_000,
  }, async () => {
    // A delivered purchase, through the API.
    const buyerToken = await sys.login("buyer@junggo.test");
    const driverToken = await sys.login("driver2@junggo.test");
    const car = await new VehiclePicker(sys).next();
    const purchaseId = (await buyWhenKnown(sys, buyerToken, car.id)).data.requestPurchase.id as string;
    const delivery = await eventually(async () => {
      const jobs = (await sys.ok(SQ.jobs, {}, driverToken)).openConsignments as {
        id: string;
        purchaseId: string | null;
        kind: string;
      }[];
      return jobs.find((j) => j.purchaseId === purchaseId && j.kind === "DELIVERY");
    }, "the delivery job");
    await sys.ok(Q.accept, { id: delivery.id }, driverToken);
    await sys.ok(Q.pickUp, { id: delivery.id }, driverToken);
    await sys.ok(Q.complete, { id: delivery.id }, driverToken);

    const buyer = await person();
    await logIn(buyer, "buyer@junggo.test");
    await buyer.getByTestId("tab-purchases").click();
    const row = buyer.locator(`[data-testid="purchase-row"][data-purchase-id="${purchaseId}"]`);
    await expect.poll(() => row.getByTestId("purchase-status").getAttribute("data-value")).toBe("DELIVERED");
    const reloads = await watchForReloads(buyer);
    expect(await row.getByTestId("return-window").textContent()).toContain("You can return the car until");

    // A return needs a reason.
    await row.getByTestId("return-button").click();
    await row.getByTestId("return-confirm").click();
    expect(await row.getByTestId("return-reason-error").textContent()).toBe("Please give a reason.");
    await row.getByTestId("return-reason").fill("The air conditioning does not work");
    await row.getByTestId("return-confirm").click();
    await expect
      .poll(() => row.getByTestId("purchase-status").getAttribute("data-value"))
      .toBe("RETURN_REQUESTED");
    expect(await row.getByTestId("return-button").count()).toBe(0);
    await row.getByTestId("return-note").waitFor();

    // A driver sees the return pickup as such, fetches the car and brings it to the lot.
    const driver = await person();
    await logIn(driver, "driver2@junggo.test");
    const job = driver.locator(
      `[data-testid="open-job"][data-purchase-id="${purchaseId}"][data-kind="RETURN_PICKUP"]`,
    );
    await job.waitFor();
    expect(await job.getByTestId("job-kind").textContent()).toBe("Return: from the buyer to the lot");
    await job.getByTestId("accept-button").click();
    const myJob = driver.locator(
      `[data-testid="my-job"][data-purchase-id="${purchaseId}"][data-kind="RETURN_PICKUP"]`,
    );
    await myJob.getByTestId("pickup-button").click();
    await myJob.getByTestId("deliver-button").waitFor();
    expect(await myJob.getByTestId("deliver-button").textContent()).toBe("Delivered to lot");
    await myJob.getByTestId("deliver-button").click();

    // The buyer's page: returned and refunded, live; the delivery column still shows the delivery.
    await expect
      .poll(() => row.getByTestId("purchase-status").getAttribute("data-value"), { timeout: 60_000 })
      .toBe("RETURNED");
    await expect
      .poll(() => row.getByTestId("payment-status").textContent(), { timeout: 30_000 })
      .toBe("Refunded");
    expect(await row.getByTestId("consignment-status").textContent()).toBe("Delivered");
    expect(await reloads()).toEqual({ marker: "still-here", navigations: 0 });
    await shot(buyer, "buyer-return");

    expect((await sys.ok(Q.purchase, { id: purchaseId }, buyerToken)).purchase.status).toBe("RETURNED");
    await eventually(
      async () => (await sys.ok(Q.vehicle, { id: car.id })).vehicle.status === "AVAILABLE",
      "the returned car to be for sale again",
    );
  });

  it("logout forgets the token, closes the live connection and shows the login page", async () => {
    const page = await person();
    const sockets: { closed: boolean }[] = [];
    page.on("websocket", (ws) => {
      const s = { closed: false };
      sockets.push(s);
      ws.on("close", () => (s.closed = true));
    });
    await logIn(page, "buyer@junggo.test");
    await page.getByTestId("tab-purchases").click();
    await expect.poll(() => page.getByTestId("live-indicator").getAttribute("data-state")).toBe("live");
    expect(sockets.length).toBeGreaterThan(0);

    await page.getByTestId("logout").click();
    await expect.poll(() => page.getByTestId("login-notice").textContent()).toContain("logged out");
    expect(await page.evaluate(() => localStorage.getItem("junggo.token"))).toBeNull();
    await expect.poll(() => sockets.every((s) => s.closed)).toBe(true);

    // A reload stays logged out.
    await page.reload();
    await page.getByTestId("login-form").waitFor();
    expect(await page.getByTestId("app").count()).toBe(0);

    // Logging in as someone else opens a new connection with the new token.
    const before = sockets.length;
    await logIn(page, "driver@junggo.test");
    expect(await page.getByTestId("role").textContent()).toBe("driver");
    await expect.poll(() => sockets.length).toBeGreaterThan(before);
    await expect.poll(() => page.getByTestId("live-indicator").getAttribute("data-state")).toBe("live");
  });
});
