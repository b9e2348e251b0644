// Reads a whole number written in decimal digits, for configuration and command-line values; the
// callers word their own errors.

/** The number `text` spells in digits, if it is a safe integer from `min` to `max`; otherwise undefined. */
export function parseWholeNumber(text: string, min: number = 0, max: number = Number.MAX_SAFE_INTEGER): number | undefined {
  const n = /^[0-9]+$/.test(text) ? Number(text) : Number.NaN;
  return Number.isSafeInteger(n) && n >= min && n <= max ? n : undefined;
}
