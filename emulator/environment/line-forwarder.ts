// Copies a runtime process's output to the log, one line at a time. A line that never ends is
// passed on in pieces of at most MAX_LINE_LENGTH characters, so a process cannot grow the server's memory.

import type { LogSink } from "../common/log-sink";

/** CloudWatch Logs takes events of up to 256 KB; a longer line is split there too. */
const MAX_LINE_LENGTH = 256 * 1024;

export function forwardLines(stream: NodeJS.ReadableStream, log: LogSink, maxLine: number = MAX_LINE_LENGTH): void {
  let pending = "";
  stream.setEncoding("utf8");
  stream.on("data", (text: string) => {
    const lines = (pending + text).split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      log(line);
    }
    while (pending.length > maxLine) {
      log(pending.slice(0, maxLine));
      pending = pending.slice(maxLine);
    }
  });
  stream.on("end", () => {
    if (pending) {
      log(pending);
    }
  });
}
