// The README stays short and readable: under 380 lines (depth goes to docs/), every term a
// newcomer meets is linked to the glossary where it is first used, and every link between the
// README and docs/ reaches a file and a heading that exist.

import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..");
const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), "utf8");
const README = read("README.md");

/** The terms the README uses that need explaining, as they may be written. */
const TERMS: Record<string, RegExp> = {
  prelude: /\bprelude\b/i,
  RIE: /\bRIE\b|Runtime Interface Emulator/,
  transport: /\btransport\b/i,
  "Runtime API": /\bRuntime API\b/,
  "execution environment": /\bexecution environments?\b/i,
  "token bucket": /\btoken bucket\b/i,
  "payload format 2.0": /\bpayload format\s+2\.0\b/i,
  SigV4: /\bSigV4\b/,
  "asset hash": /\basset hash\b/i,
};

/** The text with fenced blocks and inline code blanked out (same length, so offsets hold). */
function prose(markdown: string): string {
  const blank = (m: string): string => m.replace(/[^\n]/g, " ");
  return markdown.replace(/^```[\s\S]*?^```$/gm, blank).replace(/`[^`\n]*`/g, blank);
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, "")
    .replace(/\s/g, "-");
}

function anchorsOf(markdown: string): Set<string> {
  return new Set(
    [...prose(markdown).matchAll(/^#{1,6} (.+)$/gm)].map((m) =>
      anchorOf(
        markdown
          .slice(m.index ?? 0)
          .split("\n")[0]
          .replace(/^#+ /, ""),
      ),
    ),
  );
}

describe("the README and docs/", () => {
  test("the README is under 380 lines", () => {
    expect(README.split("\n").length).toBeLessThan(380);
  });

  test("the README's tables are narrower than 120 characters", () => {
    const wide = README.split("\n").filter((line) => line.trimStart().startsWith("|") && line.length >= 120);
    expect(wide).toEqual([]);
  });

  test("the glossary explains every term", () => {
    const headings = [...read("docs/glossary.md").matchAll(/^### (.+)$/gm)].map((m) => m[1]);
    for (const [term, pattern] of Object.entries(TERMS)) {
      expect([term, headings.some((h) => pattern.test(h))]).toEqual([term, true]);
    }
  });

  test.each(Object.keys(TERMS))("the README's first use of %s links to the glossary", (term) => {
    const text = prose(README);
    const first = TERMS[term].exec(text);
    if (first === null) return; // Not used: nothing to explain.
    const links = [...text.matchAll(/\[([^\]]+)\]\(docs\/glossary\.md#[^)]+\)/g)].map((m) => [m.index ?? 0, (m.index ?? 0) + m[0].length]);
    const linked = links.some(([start, end]) => first.index > start && first.index < end);
    expect([term, first.index, linked]).toEqual([term, first.index, true]);
  });

  test("every relative link in the README and docs/ reaches a file, and a heading when it names one", () => {
    const files = [
      "README.md",
      ...fs
        .readdirSync(path.join(ROOT, "docs"))
        .filter((f) => f.endsWith(".md"))
        .map((f) => `docs/${f}`),
    ];
    const broken: string[] = [];
    for (const file of files) {
      for (const [, target] of prose(read(file)).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target)) continue;
        const [where, anchor] = target.split("#");
        const resolved = where === "" ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), where));
        if (!fs.existsSync(path.join(ROOT, resolved))) {
          broken.push(`${file}: ${target} (no such file)`);
        } else if (anchor !== undefined && resolved.endsWith(".md") && !anchorsOf(read(resolved)).has(anchor)) {
          broken.push(`${file}: ${target} (no such heading)`);
        }
      }
    }
    expect(broken).toEqual([]);
  });
});
