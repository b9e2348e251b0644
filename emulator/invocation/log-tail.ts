// The end of one invocation's log, as `X-Amz-Log-Type: Tail` returns it: the last 4 KB of the
// lines Lambda wrote for it (START, the function's output, END, REPORT), base64-encoded.
// @see https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_ResponseSyntax

/** Lambda returns the last 4 KB of the log. */
export const LOG_TAIL_BYTES = 4 * 1024;

/** Collects lines and keeps only the last LOG_TAIL_BYTES bytes of them. */
export class LogTail {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly limit: number = LOG_TAIL_BYTES) {}

  add(line: string): void {
    const bytes = Buffer.from(`${line}\n`, "utf8");
    this.chunks.push(bytes);
    this.size += bytes.length;
    while (this.size - this.chunks[0].length >= this.limit) {
      this.size -= (this.chunks.shift() as Buffer).length;
    }
  }

  /** The last `limit` bytes, base64, as LogResult carries them. */
  base64(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.limit)).toString("base64");
  }
}
