// Reads the syntax of a terraform CLI configuration file (.terraformrc, terraform.rc, *.tfrc,
// *.tfrc.json) into its items: HCL 1's native syntax, or JSON when the file starts with "{", as
// terraform's own parser decides. Only the syntax: what an item means is the caller's business.
// HCL 1 heredocs are not read (a CLI configuration has no use for them): such a file is reported
// as unreadable, with its line.
// https://developer.hashicorp.com/terraform/cli/config/config-file

/** A value: a string or a bare word (a number, true, false), an object (a block's body), or a list. */
export type ConfigValue =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "object"; readonly items: readonly ConfigItem[] }
  | { readonly kind: "list"; readonly values: readonly ConfigValue[] };

/**
 * `key = value`, `key "label" { … }`, or in JSON `"key": value`: the name and labels, and the
 * value (a block's body is an object). Items keep their order, and a name may repeat: terraform's
 * own JSON examples repeat `filesystem_mirror`.
 */
export interface ConfigItem {
  readonly keys: readonly string[];
  readonly value: ConfigValue;
}

/** The file is not HCL 1 or JSON as read here; the message starts with the line. */
export class ConfigSyntaxError extends Error {
  constructor(line: number, problem: string) {
    super(`line ${line}: ${problem}`);
    this.name = "ConfigSyntaxError";
  }
}

interface Token {
  readonly kind: "word" | "string" | "punct";
  readonly text: string;
  readonly line: number;
}

const ESCAPES: Readonly<Record<string, string>> = { n: "\n", t: "\t", r: "\r", '"': '"', "\\": "\\", "/": "/" };

/** The file's items, in order. @throws ConfigSyntaxError */
export function parseCliConfig(source: string): ConfigItem[] {
  const parser = new Parser(tokenize(source));
  // JSON is one object; HCL 1 a sequence of items.
  const items = source.trimStart().startsWith("{") ? parser.object() : parser.items(false);
  parser.expectEnd();
  return items;
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  const word = /[A-Za-z0-9_.+-]+/y;
  while (i < source.length) {
    const c = source[i];
    if (c === "#" || source.startsWith("//", i)) {
      const end = source.indexOf("\n", i);
      i = end === -1 ? source.length : end;
    } else if (source.startsWith("/*", i)) {
      const end = source.indexOf("*/", i + 2);
      if (end === -1) throw new ConfigSyntaxError(line, "a /* comment that never ends");
      line += newlines(source.slice(i, end));
      i = end + 2;
    } else if (/\s/.test(c)) {
      line += c === "\n" ? 1 : 0;
      i += 1;
    } else if ("{}[],=:".includes(c)) {
      tokens.push({ kind: "punct", text: c, line });
      i += 1;
    } else if (c === '"') {
      const end = stringEnd(source, i + 1, line);
      tokens.push({ kind: "string", text: unquote(source.slice(i + 1, end), line), line });
      line += newlines(source.slice(i, end));
      i = end + 1;
    } else {
      word.lastIndex = i;
      const match = word.exec(source);
      if (match === null) throw new ConfigSyntaxError(line, `unexpected ${JSON.stringify(c)}`);
      tokens.push({ kind: "word", text: match[0], line });
      i += match[0].length;
    }
  }
  return tokens;
}

function newlines(text: string): number {
  return text.split("\n").length - 1;
}

/** Where the string that starts at `start` ends (its closing quote); quotes inside `${…}` do not end it, as in HCL 1. */
function stringEnd(source: string, start: number, line: number): number {
  let braces = 0;
  for (let i = start; i < source.length; i++) {
    const c = source[i];
    if (braces === 0 && (c === "\n" || c === '"')) {
      if (c === '"') return i;
      break;
    }
    if (c === "\\") {
      i += 1;
    } else if (braces === 0 && source.startsWith("${", i)) {
      braces = 1;
      i += 1;
    } else if (braces > 0 && (c === "{" || c === "}")) {
      braces += c === "{" ? 1 : -1;
    }
  }
  throw new ConfigSyntaxError(line, "a string that never ends");
}

function unquote(text: string, line: number): string {
  return text.replace(/\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)/g, (_all, sequence: string) => {
    if (sequence.length > 1) return String.fromCodePoint(Number.parseInt(sequence.slice(1), 16));
    if (sequence in ESCAPES) return ESCAPES[sequence];
    throw new ConfigSyntaxError(line, `unknown escape \\${sequence}`);
  });
}

class Parser {
  private position = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  /** `{` items `}`. */
  object(): ConfigItem[] {
    this.expect("{");
    return this.items(true);
  }

  /** Items up to the closing `}` (consumed) or, at the top of an HCL file, the end. Commas between them are allowed (JSON, HCL 1 objects). */
  items(closed: boolean): ConfigItem[] {
    const items: ConfigItem[] = [];
    for (let token = this.peek(); ; token = this.peek()) {
      if (token === undefined) {
        if (closed) throw new ConfigSyntaxError(this.lastLine(), 'a block that never ends (no closing "}")');
        return items;
      }
      if (closed && this.at("}")) {
        this.position += 1;
        return items;
      }
      if (this.at(",")) {
        this.position += 1;
      } else {
        items.push(this.item());
      }
    }
  }

  /** Keys, then `= value`, `: value` or a `{ … }` body. */
  private item(): ConfigItem {
    const keys: string[] = [];
    for (let token = this.peek(); token !== undefined && token.kind !== "punct"; token = this.peek()) {
      keys.push(token.text);
      this.position += 1;
    }
    const token = this.peek();
    if (keys.length === 0 || token === undefined) {
      throw new ConfigSyntaxError(
        token?.line ?? this.lastLine(),
        keys.length === 0 ? `unexpected ${describe(token)}` : "a name with no value",
      );
    }
    if (token.text === "=" || token.text === ":") {
      this.position += 1;
      return { keys, value: this.value() };
    }
    if (token.text === "{") {
      return { keys, value: { kind: "object", items: this.object() } };
    }
    throw new ConfigSyntaxError(token.line, `unexpected ${describe(token)} after ${keys.join(" ")}`);
  }

  private value(): ConfigValue {
    const token = this.peek();
    if (token !== undefined && token.kind !== "punct") {
      this.position += 1;
      return { kind: "text", text: token.text };
    }
    if (this.at("{")) {
      return { kind: "object", items: this.object() };
    }
    if (this.at("[")) {
      this.position += 1;
      const values: ConfigValue[] = [];
      while (!this.at("]")) {
        values.push(this.value());
        if (this.at(",")) this.position += 1;
        else if (!this.at("]")) throw new ConfigSyntaxError(this.peek()?.line ?? this.lastLine(), 'a list without its "]"');
      }
      this.position += 1;
      return { kind: "list", values };
    }
    throw new ConfigSyntaxError(token?.line ?? this.lastLine(), `expected a value, found ${describe(token)}`);
  }

  expectEnd(): void {
    const token = this.peek();
    if (token !== undefined) throw new ConfigSyntaxError(token.line, `unexpected ${describe(token)}`);
  }

  private expect(text: string): void {
    if (!this.at(text)) {
      throw new ConfigSyntaxError(this.peek()?.line ?? this.lastLine(), `expected "${text}", found ${describe(this.peek())}`);
    }
    this.position += 1;
  }

  /** Whether the next token is the punctuation `text` (not a string that reads the same). */
  private at(text: string): boolean {
    const token = this.peek();
    return token?.kind === "punct" && token.text === text;
  }

  private peek(): Token | undefined {
    return this.tokens[this.position];
  }

  private lastLine(): number {
    return this.tokens.at(-1)?.line ?? 1;
  }
}

function describe(token: Token | undefined): string {
  return token === undefined ? "the end of the file" : JSON.stringify(token.text);
}
