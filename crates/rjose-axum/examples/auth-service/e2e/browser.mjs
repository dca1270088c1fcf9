// Browser end-to-end test of the auth service, run by tests/browser.rs:
//   node e2e/browser.mjs <base-url>
// The server must run with a ~2 second access token lifetime. Drives
// Debian's Chromium (CHROMIUM_PATH, default /usr/bin/chromium) headless
// through sign-up, sign-in, session expiry, refresh and sign-out, and
// checks the cookies as the browser stores them.
import { chromium } from "playwright-core";

const base = process.argv[2];
if (!base) {
  console.error("usage: node e2e/browser.mjs <base-url>");
  process.exit(2);
}
const email = `browser-${Date.now()}@example.com`;
const password = "a password for the browser";

function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
  console.log(`ok - ${message}`);
}

// Playwright gives every launch a fresh temporary profile directory.
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
  headless: true,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
});
try {
  const context = await browser.newContext();
  const page = await context.newPage();
  const path = () => {
    const url = new URL(page.url());
    return url.pathname + url.search;
  };

  await page.goto(`${base}/sign-up`);
  await page.fill("input[name=email]", email);
  await page.fill("input[name=password]", password);
  await Promise.all([page.waitForURL(/\/sign-in\?registered=1$/), page.click("#sign-up")]);
  check(path() === "/sign-in?registered=1", "sign-up form leads to the sign-in page");

  await page.fill("input[name=email]", email);
  await page.fill("input[name=password]", password);
  await Promise.all([page.waitForURL(/\/dashboard$/), page.click("#sign-in")]);
  check((await page.textContent("#welcome")).includes(email), "sign-in form shows the dashboard");

  const cookies = await context.cookies();
  for (const name of ["access_token", "refresh_token"]) {
    const cookie = cookies.find((c) => c.name === name);
    check(cookie !== undefined, `${name} cookie is set`);
    check(cookie.httpOnly === true, `${name} cookie is HttpOnly`);
    check(cookie.sameSite === "Lax", `${name} cookie is SameSite=Lax`);
  }
  check(
    cookies.find((c) => c.name === "refresh_token").path === "/api/auth",
    "refresh_token cookie only goes to /api/auth",
  );
  check((await page.evaluate(() => document.cookie)) === "", "scripts cannot read the tokens");

  // Let the access token expire, then come back to the dashboard.
  await page.waitForTimeout(3000);
  await page.goto(`${base}/dashboard`);
  check(path() === "/sign-in?error=session_expired", "an expired session redirects to /sign-in?error=session_expired");
  check((await page.textContent("#error")).includes("expired"), "the sign-in page says the session expired");

  // The refresh button uses the HttpOnly refresh cookie.
  await Promise.all([page.waitForURL(/\/dashboard$/), page.click("#refresh")]);
  check((await page.textContent("#welcome")).includes(email), "refresh brings back the dashboard");

  await Promise.all([page.waitForURL(/\/sign-in\?signed_out=1$/), page.click("#sign-out")]);
  check(path() === "/sign-in?signed_out=1", "sign-out leads to the sign-in page");
  const left = (await context.cookies()).filter((c) => c.name.endsWith("_token"));
  check(left.length === 0, "sign-out removes the token cookies");
  await page.goto(`${base}/dashboard`);
  check(path() === "/sign-in?error=sign_in_required", "the dashboard needs a new sign-in");

  if (process.env.E2E_SCREENSHOT) {
    await page.screenshot({ path: process.env.E2E_SCREENSHOT });
  }
  console.log("browser e2e: all checks passed");
} finally {
  await browser.close();
}
