/**
 * Copying text for the operator. The web view may refuse the clipboard (no permission, no
 * secure context): callers then ask the operator to copy by hand.
 */

/** Copies `text`; resolves with whether it worked. */
export async function copyText(text: string): Promise<boolean> {
  const clipboard = (globalThis.navigator as Navigator | undefined)?.clipboard;
  if (clipboard === undefined || typeof clipboard.writeText !== "function") {
    return false;
  }
  try {
    await clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/** Offers `text` as a download named `filename`; returns whether the web view could start it. */
export function downloadText(filename: string, text: string): boolean {
  if (typeof URL.createObjectURL !== "function") {
    return false;
  }
  const url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
  return true;
}
