import { PassThrough } from "node:stream";
import { forwardLines } from "../../../emulator/environment/line-forwarder";

describe("forwardLines", () => {
  test("logs whole lines, joining pieces that arrive split", () => {
    const stream = new PassThrough();
    const lines: string[] = [];
    forwardLines(stream, (line) => lines.push(line));
    stream.write("one\ntw");
    stream.write("o\nthree");
    stream.end();
    return new Promise<void>((resolve) =>
      stream.once("end", () => {
        expect(lines).toEqual(["one", "two", "three"]);
        resolve();
      }),
    );
  });

  test("passes a line that never ends on in bounded pieces, so it cannot grow without limit", () => {
    const stream = new PassThrough();
    const lines: string[] = [];
    forwardLines(stream, (line) => lines.push(line), 1000);
    stream.write("x".repeat(2500));
    expect(lines).toEqual(["x".repeat(1000), "x".repeat(1000)]);
    stream.write("y\n");
    expect(lines[2]).toBe(`${"x".repeat(500)}y`);
  });

  test("logs a last line that has no newline when the stream ends", async () => {
    const stream = new PassThrough();
    const lines: string[] = [];
    forwardLines(stream, (line) => lines.push(line));
    stream.end("no newline at the end");
    await new Promise((resolve) => stream.once("end", resolve));
    expect(lines).toEqual(["no newline at the end"]);
  });
});
