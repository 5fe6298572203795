import { describe, expect, it } from "vitest";

import { copyableText, decodeContent, headerPairs, hexDump, markWords, searchWords } from "./content";

function base64(bytes: number[]): string {
  return btoa(String.fromCharCode(...bytes));
}

describe("decodeContent", () => {
  it("reads JSON text as JSON", () => {
    const decoded = decodeContent({ encoding: "text", data: ' {"a":[1,2]} ' });
    expect(decoded).toEqual({ kind: "json", value: { a: [1, 2] }, text: ' {"a":[1,2]} ' });
    expect(copyableText(decoded)).toBe('{\n  "a": [\n    1,\n    2\n  ]\n}');
  });

  it("keeps other text, including text that only looks like JSON", () => {
    expect(decodeContent({ encoding: "text", data: "plain" })).toEqual({ kind: "text", text: "plain" });
    expect(decodeContent({ encoding: "text", data: "{broken" })).toEqual({ kind: "text", text: "{broken" });
  });

  it("reads base64 UTF-8 as text and JSON", () => {
    const bytes = Array.from(new TextEncoder().encode('{"name":"Zoë"}'));
    expect(decodeContent({ encoding: "base64", data: base64(bytes) })).toMatchObject({ kind: "json", value: { name: "Zoë" } });
  });

  it("shows bytes that are not text as binary", () => {
    const decoded = decodeContent({ encoding: "base64", data: base64([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]) });
    expect(decoded.kind).toBe("binary");
    expect(copyableText(decoded)).toBe("00000000  89 50 4e 47 00 ff" + " ".repeat(47 - 17) + "  |.PNG..|");
  });
});

describe("hexDump", () => {
  it("writes 16 bytes a line with offsets and stops at the limit", () => {
    const bytes = Uint8Array.from({ length: 40 }, (_, i) => 0x41 + (i % 26));
    const lines = hexDump(bytes, 32).split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe("00000000  41 42 43 44 45 46 47 48 49 4a 4b 4c 4d 4e 4f 50  |ABCDEFGHIJKLMNOP|");
    expect(lines[1]?.startsWith("00000010  51 52")).toBe(true);
    expect(lines[2]).toBe("… 8 more bytes");
  });
});

describe("search words", () => {
  it("leaves out operators and quoting", () => {
    expect(searchWords('"refund requested" OR chargeback* NOT test')).toEqual(["refund", "requested", "chargeback", "test"]);
    expect(searchWords(undefined)).toEqual([]);
  });

  it("marks every occurrence, whatever the case", () => {
    expect(markWords("Refund: refund (REFUND) done", ["refund"])).toEqual([
      { text: "Refund", mark: true },
      { text: ": ", mark: false },
      { text: "refund", mark: true },
      { text: " (", mark: false },
      { text: "REFUND", mark: true },
      { text: ") done", mark: false },
    ]);
    expect(markWords("a.b", ["."])).toEqual([
      { text: "a", mark: false },
      { text: ".", mark: true },
      { text: "b", mark: false },
    ]);
    expect(markWords("nothing", [])).toEqual([{ text: "nothing", mark: false }]);
  });
});

describe("headerPairs", () => {
  it("lists the headers of a JSON object, and nothing for other text", () => {
    expect(headerPairs('{"content-type":"application/json","x-n":3}')).toEqual([
      ["content-type", "application/json"],
      ["x-n", "3"],
    ]);
    expect(headerPairs("not json")).toEqual([]);
    expect(headerPairs(null)).toEqual([]);
  });
});
