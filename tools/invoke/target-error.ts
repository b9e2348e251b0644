// What the invoke commands say when they cannot find what to call: one line, "No URL found: …" or
// "No function found: …", ending with what else to do.

export class TargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TargetError";
  }
}

/**
 * What a caller looks for in the outputs, for its error lines: "No URL found: …", "No function
 * found: …", each ending with what else to do (`otherwise`; empty for nothing).
 */
export interface OutputLookup {
  readonly what: string;
  readonly otherwise: string;
}

/** `No <what> found: sentence`, then what else to do, if anything. */
export function notFound(lookup: OutputLookup, sentence: string): string {
  const line = `No ${lookup.what} found: ${sentence}`;
  return lookup.otherwise === "" ? line : `${line} ${lookup.otherwise}`;
}
