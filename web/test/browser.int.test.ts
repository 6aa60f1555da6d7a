// The web client in a real browser (Debian chromium driven by playwright-core) against the whole
// system on free ports, served by the gateway exactly as `npm run up` serves it. Several browser
// contexts are several people: a buyer buys a car, a driver delivers it, and the buyer's page
// follows every step live (graphql-ws subscriptions) without a reload.
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
import { DEMO_PASSWORD, TestSystem } from "../../gateway/test/support/harness.ts";
import { Q, randomVin, settled } from "../../gateway/test/support/junggo.ts";

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
