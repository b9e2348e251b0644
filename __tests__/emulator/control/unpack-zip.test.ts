import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { zipSync } from "fflate";
import { unpackZip } from "../../../emulator/control/function-code";

const text = (value: string): Uint8Array => new TextEncoder().encode(value);

describe("unpackZip", () => {
  let work: string;
  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "ls-unpack-"));
  });
  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

  test("writes every entry inside the folder, folders made, the owner's execute bit kept", async () => {
    const zip = zipSync({
      "index.mjs": [text("export const handler = 1;"), { os: 3, attrs: 0o100644 << 16 }],
      "lib/helper.js": text("module.exports = 2;"),
      "bin/tool": [text("#!/bin/sh\n"), { os: 3, attrs: 0o100755 << 16 }],
    });
    const dir = path.join(work, "fn");
    await unpackZip(Buffer.from(zip), dir);
    expect(fs.readFileSync(path.join(dir, "index.mjs"), "utf8")).toBe("export const handler = 1;");
    expect(fs.readFileSync(path.join(dir, "lib", "helper.js"), "utf8")).toBe("module.exports = 2;");
    expect(fs.statSync(path.join(dir, "bin", "tool")).mode & 0o111).not.toBe(0);
    expect(fs.statSync(path.join(dir, "index.mjs")).mode & 0o111).toBe(0);
    expect(fs.readdirSync(work)).toEqual(["fn"]);
  });

  test("a zip that cannot be unpacked leaves nothing, not even half a folder", async () => {
    const zip = Buffer.from(zipSync({ "a.js": text("1"), "b.js": text("2") }));
    // The second entry's local header damaged: the first is written before the failure.
    const second = zip.indexOf(Buffer.from("b.js"));
    zip.writeUInt32LE(0, second - 30);
    await expect(unpackZip(zip, path.join(work, "fn"))).rejects.toThrow();
    expect(fs.readdirSync(work)).toEqual([]);
  });

  test("a folder already unpacked is kept as it is", async () => {
    const dir = path.join(work, "fn");
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "kept.js"), "");
    await unpackZip(Buffer.from(zipSync({ "other.js": text("") })), dir);
    expect(fs.readdirSync(dir)).toEqual(["kept.js"]);
  });
});
