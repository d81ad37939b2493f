// End-to-end: the real app in a real window (WebKitWebDriver through
// tauri-driver), driven as a person would. Run by scripts/test.sh under
// Xvfb; needs APP (the debug binary) and, optionally, TAURI_DRIVER and
// SCREENSHOT (where to save a screenshot of the results), SHOTS (a
// directory for a screenshot of each screen, to look at before a release)
// and E2E_PORT (tauri-driver's port, default 4444).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import net from "node:net";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { remote } from "webdriverio";

const APP = process.env.APP;
const DRIVER = process.env.TAURI_DRIVER ?? "tauri-driver";
// E2E_PORT moves tauri-driver (and WebKitWebDriver, on the next port) off
// 4444, so two runs on one machine do not drive each other's app.
const PORT = Number(process.env.E2E_PORT ?? 4444);
// A 200-path run of the chosen scenario takes well under this on 2 cores.
const RUN_TIMEOUT_MS = 10 * 60 * 1000;

let driver;
let browser;

/** Saves a screenshot of the window scrolled to `selector` into SHOTS. */
async function shot(name, selector, block = "start") {
  if (!process.env.SHOTS) return;
  await (await browser.$(selector)).scrollIntoView({ block });
  await browser.saveScreenshot(`${process.env.SHOTS}/${name}.png`);
}

function portOpen(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

async function waitForPort(port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await portOpen(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`tauri-driver did not listen on port ${port} within ${timeoutMs} ms`);
}

/** Starts the app in a new WebDriver session. */
function startApp() {
  return remote({
    hostname: "127.0.0.1",
    port: PORT,
    logLevel: "warn",
    connectionRetryTimeout: 120_000,
    capabilities: {
      "tauri:options": { application: APP },
      "wdio:enforceWebDriverClassic": true,
    },
  });
}

before(async () => {
  assert.ok(APP, "set APP to the path of the debug binary (target/debug/creditsim-desktop)");
  driver = spawn(DRIVER, ["--port", String(PORT), "--native-port", String(PORT + 1)], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  await waitForPort(PORT, 30_000);
  browser = await startApp();
});

after(async () => {
  if (browser) await browser.deleteSession().catch(() => {});
  if (driver) driver.kill();
});

async function setField(selector, value) {
  const field = await browser.$(selector);
  await field.waitForDisplayed({ timeout: 10_000 });
  await field.clearValue();
  await field.setValue(value);
  assert.equal(await field.getValue(), value);
}

/** Replaces a field's text as a person does: select all, type, Tab away (which commits it). */
async function typeInto(selector, value) {
  const field = await browser.$(selector);
  await field.waitForDisplayed({ timeout: 10_000 });
  await field.click();
  await browser.keys(["Control", "a"]);
  // One key at a time: WebKitWebDriver drops the second of two equal keys in one action.
  for (const key of value) await browser.keys(key);
  await browser.keys("Tab");
}

async function phase() {
  return (await browser.$("#run-status")).getAttribute("data-phase");
}

test("lists the shipped scenarios with their descriptions", async () => {
  const item = await browser.$('[data-scenario="shipped:leaked-api-key"]');
  await item.waitForDisplayed({ timeout: 30_000 });
  const all = await browser.$$("[data-scenario]");
  assert.equal(all.length, 6);
  assert.match(await item.getText(), /leak/i);
});

test("runs 200 paths of a shipped scenario and shows the comparison and charts", async () => {
  await (await browser.$('[data-scenario="shipped:leaked-api-key"]')).click();
  await setField("#paths", "200");
  await setField("#seed", "7");
  await (await browser.$("#run")).click();
  const table = await browser.$("#comparison");
  await table.waitForDisplayed({ timeout: RUN_TIMEOUT_MS });
  assert.equal(await phase(), "finished");
  const rows = await browser.$$("#comparison tbody tr");
  assert.ok(rows.length >= 20, `expected a row per metric, got ${rows.length}`);
  assert.ok((await browser.$$("#comparison td.best")).length > 0, "a best value is marked");
  const chart = await browser.$("[data-chart] svg");
  await chart.waitForExist({ timeout: 60_000 });
  const ids = await browser.$$("[data-chart]").map((c) => c.getAttribute("data-chart"));
  assert.deepEqual([...ids].sort(), ["balance_fan", "comparison_bars", "exposure_fan", "margin_distribution"]);
  await shot("results", "#results");
  await shot("charts", "#charts");
  await shot("charts-fans", '[data-chart="exposure_fan"]');
});

test("inspects one customer's path: daily balance and journal", async () => {
  await (await browser.$("#inspect")).click();
  const journal = await browser.$("#journal");
  await journal.waitForDisplayed({ timeout: 60_000 });
  assert.ok((await browser.$$("#journal tbody tr")).length > 0);
  assert.ok(await (await browser.$("[data-inspector-chart] svg")).isExisting());
  await shot("inspector", "#inspector");
  if (process.env.SCREENSHOT) {
    await (await browser.$("#results")).scrollIntoView();
    await browser.saveScreenshot(process.env.SCREENSHOT);
  }
});

test("cancels a long run and stays usable", async () => {
  await setField("#paths", "100000");
  await (await browser.$("#run")).click();
  // Cancel once the run has reported its first batch.
  await browser.waitUntil(async () => (await browser.$("#cancel")).isEnabled(), { timeout: 60_000 });
  const asked = Date.now();
  await (await browser.$("#cancel")).click();
  await browser.waitUntil(async () => (await phase()) === "cancelled", {
    timeout: 10_000,
    interval: 50,
    timeoutMsg: "the run did not stop within 10 s of Cancel",
  });
  const took = Date.now() - asked;
  // The backend stops within a second (Rust test); this adds WebDriver round trips.
  assert.ok(took < 5_000, `cancel took ${took} ms`);
  assert.ok(await (await browser.$("#run")).isEnabled(), "Run is enabled again");
  // Usable after: a short run of another scenario completes.
  await (await browser.$('[data-scenario="shipped:price-cut-80"]')).click();
  await setField("#paths", "50");
  await (await browser.$("#run")).click();
  await browser.waitUntil(async () => (await phase()) === "finished", { timeout: RUN_TIMEOUT_MS });
  await (await browser.$("#comparison")).waitForDisplayed({ timeout: 60_000 });
});

test("edits a scenario: a wrong value is shown at its field, fixed, and the edited text runs", async () => {
  await (await browser.$('[data-scenario="shipped:price-cut-80"]')).click();
  await setField("#paths", "50");
  await (await browser.$("#view-edit")).click();
  const customers = '[data-field="segments[0].customers"]';
  const input = await browser.$(`${customers} input`);
  await input.waitForDisplayed({ timeout: 30_000 });
  const original = await input.getValue();
  assert.equal(original, "60");
  // Sparklines show the shape of the scenario's distributions.
  assert.ok((await browser.$$("[data-sparkline] svg")).length > 0, "a distribution preview is drawn");

  // A negative count: the loader's message appears at the field.
  await typeInto(`${customers} input`, "-5");
  const error = await browser.$(`${customers} .field-error`);
  await error.waitForDisplayed({ timeout: 20_000 });
  assert.match(await error.getText(), /customers|0|negative|range|integer/i);
  assert.equal(await (await browser.$("#validation")).getAttribute("data-ok"), "false");
  assert.ok(!(await (await browser.$("#editor-run")).isEnabled()), "Run waits for a valid scenario");
  await shot("editor-error", customers, "center");

  // The TOML tab lists the same problem at its line and column; a click puts the caret there.
  await (await browser.$("#tab-toml")).click();
  const at = await browser.$("#toml-problems button[data-line]");
  await at.waitForDisplayed({ timeout: 10_000 });
  assert.match(await at.getText(), /^\d+:\d+$/);
  await at.click();
  const caret = await browser.execute(() => {
    const t = document.getElementById("toml-text");
    const before = t.value.slice(0, t.selectionStart);
    return before.split("\n").length;
  });
  assert.equal(String(caret), (await at.getText()).split(":")[0], "the caret is on the problem's line");
  const line = await browser.execute(() => {
    const t = document.getElementById("toml-text");
    return t.value.split("\n")[t.value.slice(0, t.selectionStart).split("\n").length - 1];
  });
  assert.match(line, /^customers = -5/, "the problem's line is the edited one, in its place");
  await shot("editor-toml", "#toml-text");
  await (await browser.$("#tab-form")).click();

  // Fixed: the error goes, the change is unsaved (kept as a draft), and Run uses it.
  await typeInto(`${customers} input`, "30");
  await browser.waitUntil(async () => (await (await browser.$("#validation")).getAttribute("data-ok")) === "true", {
    timeout: 20_000,
    timeoutMsg: "the fixed scenario did not check clean",
  });
  assert.equal((await browser.$$(`${customers} .field-error`)).length, 0);
  assert.ok(await (await browser.$("#unsaved")).isDisplayed(), "the change is marked unsaved");
  await shot("editor-fixed", "#editor");
  await (await browser.$("#editor-run")).click();
  await browser.waitUntil(async () => (await phase()) === "finished", { timeout: RUN_TIMEOUT_MS });
  await (await browser.$("#comparison")).waitForDisplayed({ timeout: 60_000 });
  assert.match(await (await browser.$("#results-edited")).getText(), /unsaved/);
  await shot("editor-run", "#run-status");

  // Back to the original value: nothing unsaved is left (and no draft, so closing asks nothing).
  await (await browser.$("#view-edit")).click();
  await typeInto(`${customers} input`, original);
  await browser.waitUntil(async () => (await browser.$$("#unsaved")).length === 0, {
    timeout: 20_000,
    timeoutMsg: "the original value did not make the scenario clean again",
  });
});

test("unsaved changes survive the app going away and come back with a banner", async () => {
  const customers = '[data-field="segments[0].customers"]';
  await typeInto(`${customers} input`, "31");
  await (await browser.$("#unsaved")).waitForDisplayed({ timeout: 20_000 });
  // The draft is written half a second after the last change.
  await browser.pause(1500);
  // The app goes away without a word (as in a crash), then starts again.
  await browser.deleteSession();
  browser = await startApp();
  const banner = await browser.$("#restored");
  await banner.waitForDisplayed({ timeout: 30_000 });
  assert.match(await banner.getText(), /Restored unsaved changes to Provider price cut of 80%/);
  await (await browser.$('[data-scenario="shipped:price-cut-80"]')).click();
  await (await browser.$("#view-edit")).click();
  const input = await browser.$(`${customers} input`);
  await input.waitForDisplayed({ timeout: 20_000 });
  assert.equal(await input.getValue(), "31", "the draft's text is back in the editor");
  assert.ok(await (await browser.$("#unsaved")).isDisplayed());
  await shot("restored", "#restored");
  // Edited back to the shipped text: no draft is left for the next start.
  await typeInto(`${customers} input`, "60");
  await browser.waitUntil(async () => (await browser.$$("#unsaved")).length === 0, {
    timeout: 20_000,
    timeoutMsg: "the shipped value did not make the scenario clean again",
  });
});

test("adds a model from the price catalogue, with a rate card at cost", async () => {
  // Still in the editor of the shipped price-cut scenario, with nothing unsaved.
  await (await browser.$("#tab-toml")).click();
  const original = await browser.execute(() => document.getElementById("toml-text").value);
  await (await browser.$("#tab-form")).click();
  const search = await browser.$("#model-search");
  await search.waitForDisplayed({ timeout: 20_000 });
  await search.click();
  await search.setValue("claude-sonnet-4-6");
  const pick = await browser.$("#model-pick");
  await browser.waitUntil(async () => (await pick.$$("option")).length > 1, { timeout: 20_000 });
  await pick.selectByAttribute("value", "anthropic/claude-sonnet-4-6");
  await (await browser.$("#model-add")).click();
  const block = await browser.$('[data-block="models[2]"]');
  await block.waitForDisplayed({ timeout: 20_000 });
  assert.match(await block.getText(), /anthropic\/claude-sonnet-4-6/);
  assert.match(await (await browser.$("#editor-notice")).getText(), /at cost/);
  await browser.waitUntil(async () => (await (await browser.$("#validation")).getAttribute("data-ok")) === "true", {
    timeout: 20_000,
    timeoutMsg: "the scenario with the new model did not check clean",
  });
  const rate = await (await browser.$('[data-field="rate_card[2].credits_per_mtok.input"] input')).getValue();
  assert.ok(Number(rate) > 0, `an at-cost rate card entry: ${rate}`);
  await shot("editor-model", '[data-block="models[2]"]', "center");
  // Back to the shipped text, as a paste over the whole TOML would do: nothing is left unsaved.
  await (await browser.$("#tab-toml")).click();
  await browser.execute((text) => {
    const t = document.getElementById("toml-text");
    t.value = text;
    t.dispatchEvent(new Event("input", { bubbles: true }));
  }, original);
  await browser.waitUntil(async () => (await browser.$$("#unsaved")).length === 0, {
    timeout: 20_000,
    timeoutMsg: "the shipped text did not make the scenario clean again",
  });
});

/** The id of the run whose results are shown, or null. */
async function shownRun() {
  const results = await browser.$$("#results");
  return results.length === 0 ? null : results[0].getAttribute("data-run-id");
}

/** Exports the shown results as `format` to `path`, given to the app in place of the save dialog. */
async function exportTo(format, path) {
  await (await browser.$("#export-format")).selectByAttribute("value", format);
  await browser.execute((p) => {
    window.__creditsimSavePath = p;
  }, path);
  await (await browser.$("#export")).click();
  const saved = await browser.$("#exported");
  await saved.waitForDisplayed({ timeout: 180_000, timeoutMsg: `the ${format} export did not finish` });
  assert.equal(await saved.getText(), `Saved to ${path}`);
  assert.ok(existsSync(path), `${path} exists`);
  return readFileSync(path);
}

test("pins a run, changes the scenario, runs again, compares, and exports the report", async () => {
  const out = mkdtempSync(join(tmpdir(), "creditsim-e2e-"));
  try {
    await (await browser.$('[data-scenario="shipped:price-cut-80"]')).click();
    await (await browser.$("#view-run")).click();
    await setField("#paths", "50");
    await setField("#seed", "7");
    const before = await shownRun();
    await (await browser.$("#run")).click();
    await browser.waitUntil(async () => (await shownRun()) !== before, {
      timeout: RUN_TIMEOUT_MS,
      timeoutMsg: "the run's results did not show",
    });
    await (await browser.$("#pin")).waitForClickable({ timeout: 60_000 });
    await (await browser.$("#pin")).click();
    await (await browser.$("#pinned")).waitForDisplayed({ timeout: 10_000 });
    await shot("pinned", "#results");

    // Change the scenario and run again: the Compare tab appears.
    await (await browser.$("#view-edit")).click();
    const customers = '[data-field="segments[0].customers"]';
    await typeInto(`${customers} input`, "45");
    await browser.waitUntil(async () => (await (await browser.$("#validation")).getAttribute("data-ok")) === "true", {
      timeout: 20_000,
      timeoutMsg: "the changed scenario did not check clean",
    });
    await (await browser.$("#editor-run")).click();
    const tab = await browser.$("#view-compare");
    await tab.waitForDisplayed({ timeout: RUN_TIMEOUT_MS, timeoutMsg: "no Compare tab after the second run" });
    await tab.click();
    const table = await browser.$("#compare-table");
    await table.waitForDisplayed({ timeout: 60_000 });
    assert.equal(await (await browser.$("#compare-method")).getAttribute("data-method"), "paired");
    assert.ok((await browser.$$("#compare-table tbody tr")).length >= 20, "a row per metric");
    const removed = await browser.$$('#compare-diff [data-tag="removed"]').map((l) => l.getText());
    const added = await browser.$$('#compare-diff [data-tag="added"]').map((l) => l.getText());
    assert.ok(removed.some((l) => /customers = 60/.test(l)), `removed: ${removed}`);
    assert.ok(added.some((l) => /customers = 45/.test(l)), `added: ${added}`);
    await (await browser.$('[data-chart="margin_overlay"] svg')).waitForExist({ timeout: 60_000 });
    await shot("compare", "#compare");
    await shot("compare-diff", "#compare-diff");
    await shot("compare-chart", "#compare-charts");

    // Export the candidate's report; the test supplies the path the save dialog would return.
    await (await browser.$("#view-run")).click();
    const pdf = await exportTo("pdf", join(out, "report.pdf"));
    assert.equal(pdf.subarray(0, 5).toString(), "%PDF-");
    await shot("exported", "#results");
    const xlsx = await exportTo("xlsx", join(out, "report.xlsx"));
    assert.equal(xlsx.subarray(0, 2).toString(), "PK", "an XLSX is a zip");

    // A folder that does not exist: a clear error naming the path.
    await (await browser.$("#export-format")).selectByAttribute("value", "csv");
    await browser.execute((p) => {
      window.__creditsimSavePath = p;
    }, join(out, "missing", "paths.csv"));
    await (await browser.$("#export")).click();
    const alert = await browser.$('.error[data-code="bad_path"]');
    await alert.waitForDisplayed({ timeout: 20_000 });
    assert.match(await alert.getText(), /missing\/paths\.csv: its folder does not exist/);
    await (await alert.$("button")).click();

    // Unpin, and leave the scenario as shipped (no draft).
    await (await browser.$("#unpin")).click();
    await browser.waitUntil(async () => (await browser.$$("#view-compare")).length === 0, { timeout: 10_000 });
    await (await browser.$("#view-edit")).click();
    await typeInto(`${customers} input`, "60");
    await browser.waitUntil(async () => (await browser.$$("#unsaved")).length === 0, {
      timeout: 20_000,
      timeoutMsg: "the shipped value did not make the scenario clean again",
    });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test("browses the price catalogue: search, current prices and dated changes", async () => {
  await (await browser.$("#view-prices")).click();
  const origin = await browser.$("#catalogue-origin");
  await origin.waitForDisplayed({ timeout: 30_000 });
  assert.equal(await origin.getAttribute("data-origin"), "built_in");
  assert.match(await origin.getText(), /^Built-in catalogue/);
  const search = await browser.$("#price-search");
  await search.click();
  // One key at a time: WebKitWebDriver drops the second of two equal keys in one action.
  for (const key of "anthropic claude-sonnet-4-6") await browser.keys(key);
  const row = await browser.$('[data-model="anthropic/claude-sonnet-4-6"]');
  await row.waitForDisplayed({ timeout: 10_000 });
  await browser.waitUntil(
    async () => {
      const ids = await browser.$$("#price-table tbody tr[data-model]").map((r) => r.getAttribute("data-model"));
      return ids.length > 0 && ids.length < 10 && ids.every((id) => id.includes("claude-sonnet-4-6"));
    },
    { timeout: 10_000, timeoutMsg: "the search did not narrow the table to the model" },
  );
  assert.match(await row.getText(), /\$3\s*\$15\s*\$0\.3/);
  await (await row.$("button")).click();
  const changes = await browser.$('[data-changes="anthropic/claude-sonnet-4-6"]');
  await changes.waitForDisplayed({ timeout: 10_000 });
  assert.match(await changes.getText(), /from 2026-03-13: \$3 in \/ \$15 out/);
  // No screenshot here: WebKitWebDriver's screenshot of this view does not
  // return (seen under Xvfb; the view itself renders and answers).
  await (await browser.$("#view-run")).click();
});
