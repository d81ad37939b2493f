// The Prices tab's logic: search over providers and models, price wording,
// which catalogue is in use; and the import command through the real
// wrapper over mockIPC.
import { afterEach, describe, expect, it } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import type { CatalogueView, ModelPrices } from "../src/bindings/ipc";
import { api } from "../src/lib/api";
import { changeText, originText, price, searchModels, today } from "../src/lib/prices";

const row = (from: string | null, input: string | null) => ({
  from,
  input,
  output: "15",
  cache_read: null,
  tiered: false,
  time_of_day: false,
});

const model = (provider: string, providerName: string, id: string, name: string | null): ModelPrices => ({
  id: `${provider}/${id}`,
  provider,
  provider_name: providerName,
  name,
  deprecated: false,
  current: row(null, "3"),
  changes: [],
});

const models = [
  model("anthropic", "Anthropic", "claude-sonnet-4-6", "Claude Sonnet 4.6"),
  model("anthropic", "Anthropic", "claude-haiku-4-5", "Claude Haiku 4.5"),
  model("openai", "OpenAI", "gpt-5", null),
  model("google", "Google", "gemini-2.5-pro", "Gemini 2.5 Pro"),
];

const view = (origin: string): CatalogueView => ({
  origin,
  description: origin === "imported" ? "Imported catalogue from data.json" : "Built-in catalogue",
  source_file: "data.json",
  source_sha256: "a".repeat(64),
  sha256: "0123456789abcdef".repeat(4),
  day: "2026-06-01",
  problem: null,
  import_summary: null,
  models,
});

describe("search", () => {
  it("matches every word in the id, provider or model name, any case", () => {
    expect(searchModels(models, "anthropic").shown.map((m) => m.id)).toEqual([
      "anthropic/claude-sonnet-4-6",
      "anthropic/claude-haiku-4-5",
    ]);
    expect(searchModels(models, "SONNET claude").shown.map((m) => m.id)).toEqual(["anthropic/claude-sonnet-4-6"]);
    expect(searchModels(models, "openai").shown.map((m) => m.id)).toEqual(["openai/gpt-5"]);
    expect(searchModels(models, "Gemini 2.5").total).toBe(1);
    expect(searchModels(models, "mistral").total).toBe(0);
  });

  it("shows everything for an empty query, up to the limit, and counts the rest", () => {
    expect(searchModels(models, "  ").total).toBe(4);
    const limited = searchModels(models, "", 2);
    expect(limited.shown).toHaveLength(2);
    expect(limited.total).toBe(4);
  });
});

describe("wording", () => {
  it("shows prices and dated changes", () => {
    expect(price("3")).toBe("$3");
    expect(price(null)).toBe("–");
    expect(changeText(row("2026-03-13", "3"))).toBe("from 2026-03-13: $3 in / $15 out / – cache read");
    expect(changeText({ ...row(null, "5"), tiered: true })).toBe(
      "at first: $5 in / $15 out / – cache read (more above a context length)",
    );
  });

  it("says which catalogue is in use", () => {
    expect(originText(view("built_in"))).toMatch(/^Built-in catalogue; sha256 0123456789ab…, the one the shipped/);
    expect(originText(view("imported"))).toMatch(/^Imported catalogue from data.json; .*model picker/);
    expect(today(new Date(Date.UTC(2026, 10, 22, 23, 59)))).toBe("2026-11-22");
  });
});

describe("import", () => {
  afterEach(() => clearMocks());

  it("sends the chosen file and the day, and returns the catalogue now in use", async () => {
    let args: Record<string, unknown> = {};
    mockIPC((cmd, a) => {
      if (cmd === "import_catalogue") {
        args = a as Record<string, unknown>;
        return view("imported");
      }
    });
    const result = await api.importCatalogue("/home/me/data.json", "2026-06-01");
    expect(args).toEqual({ path: "/home/me/data.json", day: "2026-06-01" });
    expect(result.origin).toBe("imported");
  });

  it("passes a refusal on as code and message", async () => {
    mockIPC(() => {
      throw { code: "bad_catalogue", message: "not imported (the catalogue in use is unchanged):\n/x/data.json: …" };
    });
    await expect(api.importCatalogue("/x/data.json", "2026-06-01")).rejects.toMatchObject({ code: "bad_catalogue" });
  });
});
