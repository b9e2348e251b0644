// The README stays short and readable: under 380 lines (depth goes to docs/), every term a
// newcomer meets is linked to the glossary where it is first used, and every link between the
// README and docs/ reaches a file and a heading that exist. The files they name exist, and
// docs/layout.md's tree names every file of the code's folders.

import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..");
const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), "utf8");
const README = read("README.md");
const DOCS = [
  "README.md",
  ...fs
    .readdirSync(path.join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];

/** Folders that are not the repository's: installed, generated or built here (.gitignore). */
const NOT_IN_THE_REPOSITORY = new Set([".git", "node_modules", "cdktf.out", ".build", ".gen", "coverage"]);

/**
 * Every path the text names from the repository's root: `a/b/c.ts` or `a/b/`, whose first folder
 * is one of the root's. Not a URL's path (what comes before it is a host, or `/`), nor a pattern
 * (`.build/handler-<hash>/`, `emulator/**`), nor bench/out/, which npm run bench writes.
 */
function repositoryPaths(text: string, topNames: ReadonlySet<string>): string[] {
  const paths: string[] = [];
  for (const m of text.matchAll(/(?<![\w./~:@$<>*{-])((?:[\w.@-]+\/)+[\w.@-]*)(?![<*{$])/g)) {
    const named = m[1].replace(/\.+$/, "");
    if (topNames.has(named.split("/")[0]) && !named.startsWith("bench/out/")) paths.push(named);
  }
  return paths;
}

/**
 * The paths docs/layout.md's tree names, each from the root: a folder line (`name/`) holds the lines
 * indented below it; a line's names come first (`a.ts, b.ts`), before its description.
 */
function layoutTree(markdown: string): string[] {
  const tree = /^```\n([\s\S]*?)^```$/m.exec(markdown)?.[1] ?? "";
  const folders: { indent: number; path: string }[] = [];
  const named: string[] = [];
  for (const line of tree.split("\n")) {
    const m = /^( *)([\w.@-]+(?:\/[\w.@-]*)*(?:, [\w.@-]+(?:\/[\w.@-]*)*)*)(?: |$)/.exec(line);
    // Only names of files (an extension) and folders (a slash): a description's overflow is neither.
    const names = m?.[2].split(", ").filter((name) => name.endsWith("/") || /\.\w+$/.test(name)) ?? [];
    if (m === null || names.length === 0) continue;
    const indent = m[1].length;
    while (folders.length > 0 && (folders.at(-1)?.indent ?? 0) >= indent) folders.pop();
    const parent = folders.at(-1)?.path ?? "";
    named.push(...names.map((name) => parent + name));
    if (names.length === 1 && names[0].endsWith("/")) folders.push({ indent, path: parent + names[0] });
  }
  return named;
}

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
    const broken: string[] = [];
    for (const file of DOCS) {
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

  test("every file and folder the README and docs/ name from the repository's root exists", () => {
    const topNames = new Set(fs.readdirSync(ROOT).filter((name) => !NOT_IN_THE_REPOSITORY.has(name)));
    const missing = DOCS.flatMap((file) =>
      repositoryPaths(read(file), topNames)
        .filter((named) => !fs.existsSync(path.join(ROOT, named)))
        .map((named) => `${file}: ${named}`),
    );
    expect(missing).toEqual([]);
  });

  test("docs/layout.md's tree names files that exist, and every file of the code's folders", () => {
    const named = layoutTree(read("docs/layout.md"));
    expect(named.filter((file) => !fs.existsSync(path.join(ROOT, file)))).toEqual([]);
    // A folder named without its files (examples/, fixtures/) stands for all of them.
    const folders = named.filter((name) => name.endsWith("/") && !named.some((other) => other !== name && other.startsWith(name)));
    const tracked = execFileSync("git", ["ls-files"], { cwd: ROOT, encoding: "utf8" }).split("\n");
    const code = tracked.filter((file) => /^(main\.ts$|(protocol|support|lib|handler|emulator|tools|bench|examples)\/)/.test(file));
    const unlisted = code.filter((file) => !named.includes(file) && !folders.some((folder) => file.startsWith(folder)));
    expect(unlisted).toEqual([]);
  });
});
