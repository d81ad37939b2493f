// The save dialog, with the one test hook the end-to-end test needs: a
// system dialog cannot be driven by WebDriver, so the test sets
// `window.__creditsimSavePath` to the path it wants, and the next save
// uses it instead of asking (once). Rust checks that path like any other.
import { save } from "@tauri-apps/plugin-dialog";

declare global {
  interface Window {
    __creditsimSavePath?: string;
  }
}

/** The path to save to, or null when the person cancelled. */
export async function chooseSavePath(
  defaultPath: string,
  filters: { name: string; extensions: string[] }[],
): Promise<string | null> {
  const hooked = typeof window !== "undefined" ? window.__creditsimSavePath : undefined;
  if (typeof hooked === "string") {
    delete window.__creditsimSavePath;
    return hooked;
  }
  const path = await save({ defaultPath, filters });
  return typeof path === "string" ? path : null;
}
