// Opens a URL in the user's browser when a desktop opener exists; any failure is ignored (the URL is printed anyway).
import { spawn } from "node:child_process";

export function browserOpener(platform: NodeJS.Platform = process.platform): string {
  if (platform === "darwin") return "open";
  if (platform === "win32") return "explorer";
  return "xdg-open";
}

export function openBrowser(url: string): void {
  try {
    const child = spawn(browserOpener(), [url], { stdio: "ignore", detached: true });
    child.on("error", () => {});
    child.unref();
  } catch {
    // No opener on this machine: the printed URL is enough.
  }
}
