/**
 * Payloads and response bodies as the detail pane shows them: JSON as a tree, other text as it
 * is, anything that is not UTF-8 text as a hex dump; and the search words marked in them.
 */
import type { Content } from "../bindings/Content";

/** What a payload or body turned out to be. */
export type Decoded =
  | { kind: "json"; value: unknown; text: string }
  | { kind: "text"; text: string }
  | { kind: "binary"; bytes: Uint8Array };

/** Reads `content`: base64 that decodes to UTF-8 is text; text that parses as JSON is JSON. */
export function decodeContent(content: Content): Decoded {
  let text: string;
  if (content.encoding === "text") {
    text = content.data;
  } else {
    const bytes = base64Bytes(content.data);
    if (bytes === null) {
      return { kind: "text", text: content.data };
    }
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      return { kind: "binary", bytes };
    }
    if (/[\u0000-\u0008\u000e-\u001f]/.test(text)) {
      return { kind: "binary", bytes };
    }
  }
  const trimmed = text.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      return { kind: "json", value: JSON.parse(trimmed) as unknown, text };
    } catch {
      // Not JSON after all: shown as text.
    }
  }
  return { kind: "text", text };
}

function base64Bytes(data: string): Uint8Array | null {
  try {
    const binary = atob(data.replace(/\s+/g, ""));
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes;
  } catch {
    return null;
  }
}

/** Bytes shown in a hex dump at most; the rest is counted. */
export const HEX_LIMIT = 64 * 1024;

/** `00000000  7b 22 61 22 …  |{"a"…|`, 16 bytes a line. */
export function hexDump(bytes: Uint8Array, limit: number = HEX_LIMIT): string {
  const lines: string[] = [];
  const end = Math.min(bytes.length, limit);
  for (let offset = 0; offset < end; offset += 16) {
    const chunk = bytes.subarray(offset, Math.min(offset + 16, end));
    const hex = Array.from(chunk, (b) => b.toString(16).padStart(2, "0")).join(" ");
    const ascii = Array.from(chunk, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".")).join("");
    lines.push(`${offset.toString(16).padStart(8, "0")}  ${hex.padEnd(47, " ")}  |${ascii}|`);
  }
  if (bytes.length > end) {
    lines.push(`… ${bytes.length - end} more bytes`);
  }
  return lines.join("\n");
}

/** The text a copy button copies: pretty JSON, the text, or the hex dump. */
export function copyableText(decoded: Decoded): string {
  switch (decoded.kind) {
    case "json":
      return JSON.stringify(decoded.value, null, 2);
    case "text":
      return decoded.text;
    case "binary":
      return hexDump(decoded.bytes, Number.POSITIVE_INFINITY);
  }
}

const OPERATORS = new Set(["and", "or", "not", "near"]);

/** The words of a full-text search, without its operators and quoting. */
export function searchWords(search: string | undefined): string[] {
  if (search === undefined) {
    return [];
  }
  const words = search
    .split(/[\s"()*^:+]+/)
    .map((word) => word.trim())
    .filter((word) => word.length > 0 && !OPERATORS.has(word.toLowerCase()));
  return [...new Set(words)];
}

/** One stretch of text, marked when it is a search word. */
export interface Part {
  text: string;
  mark: boolean;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** `text` cut around the (case-insensitive) occurrences of `words`. */
export function markWords(text: string, words: readonly string[]): Part[] {
  if (words.length === 0 || text === "") {
    return [{ text, mark: false }];
  }
  const pattern = new RegExp(`(${[...words].sort((a, b) => b.length - a.length).map(escapeRegExp).join("|")})`, "gi");
  // With a capturing pattern, `split` puts the matches at the odd places.
  return text.split(pattern).flatMap((piece, i) => (piece === "" ? [] : [{ text: piece, mark: i % 2 === 1 }]));
}

/** The headers of a response (JSON object text) as name and value pairs. */
export function headerPairs(headers: string | null): [string, string][] {
  if (headers === null) {
    return [];
  }
  try {
    const parsed = JSON.parse(headers) as unknown;
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
      return Object.entries(parsed).map(([name, value]) => [
        name,
        typeof value === "string" ? value : JSON.stringify(value),
      ]);
    }
  } catch {
    // Shown as raw text by the caller.
  }
  return [];
}
