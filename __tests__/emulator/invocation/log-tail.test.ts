import { LOG_TAIL_BYTES, LogTail } from "../../../emulator/invocation/log-tail";

describe("LogTail", () => {
  test("returns every line, newline-terminated and base64, while they fit", () => {
    const tail = new LogTail();
    tail.add("START RequestId: a Version: $LATEST");
    tail.add("END RequestId: a");
    expect(Buffer.from(tail.base64(), "base64").toString()).toBe("START RequestId: a Version: $LATEST\nEND RequestId: a\n");
  });

  test("keeps exactly the last 4 KB, cutting the oldest line if it must", () => {
    const tail = new LogTail();
    for (let i = 0; i < 1000; i += 1) tail.add(`line ${i}`);
    const text = Buffer.from(tail.base64(), "base64").toString();
    expect(Buffer.byteLength(text)).toBe(LOG_TAIL_BYTES);
    expect(text.endsWith("line 999\n")).toBe(true);
  });

  test("an empty log is an empty string", () => {
    expect(new LogTail().base64()).toBe("");
  });
});
