import { CAR } from "../../handler/stream-options";
import { ClientGoneError, carBuffer, writeCars } from "../../handler/write-cars";
import { InMemoryResponseStream } from "../helpers/response-stream";

const noPause = async (): Promise<void> => undefined;

describe("writeCars", () => {
  test("writes `chunk` cars per write, with a short last write", async () => {
    // GIVEN
    const stream = new InMemoryResponseStream();
    // WHEN
    await writeCars(stream, { count: 2_500, chunk: 1_024, delay: 0 }, noPause);
    // THEN
    expect(stream.bodyWrites()).toEqual([4_096, 4_096, 1_808]);
    expect(stream.body().equals(Buffer.from("🚗".repeat(2_500)))).toBe(true);
  });

  test("writes nothing for count=0", async () => {
    const stream = new InMemoryResponseStream();
    await writeCars(stream, { count: 0, chunk: 1_024, delay: 0 }, noPause);
    expect(stream.bodyWrites()).toEqual([]);
  });

  test("waits for drain after every write the stream refuses", async () => {
    // GIVEN a stream that holds less than one chunk and accepts writes asynchronously
    const stream = new InMemoryResponseStream({ highWaterMark: 64, slow: true });
    // WHEN
    await writeCars(stream, { count: 100, chunk: 20, delay: 0 }, noPause);
    // THEN every refused write is followed by a drain before the next write
    const writes = stream.events.filter((e) => e.startsWith("write:"));
    expect(writes).toHaveLength(5);
    expect(writes.every((e) => e.endsWith(":false"))).toBe(true);
    expect(stream.events).toEqual([
      "write:80:false",
      "drain",
      "write:80:false",
      "drain",
      "write:80:false",
      "drain",
      "write:80:false",
      "drain",
      "write:80:false",
      "drain",
    ]);
    expect(stream.listenerCount("drain")).toBe(1);
    expect(stream.listenerCount("close")).toBe(0);
  });

  test("pauses `delay` ms between writes, not after the last", async () => {
    const pauses: number[] = [];
    const stream = new InMemoryResponseStream();
    await writeCars(stream, { count: 5, chunk: 2, delay: 250 }, async (ms) => {
      pauses.push(ms);
    });
    expect(stream.bodyWrites()).toEqual([8, 8, 4]);
    expect(pauses).toEqual([250, 250]);
  });

  test("rejects instead of hanging when the stream closes while it waits for drain", async () => {
    const stream = new InMemoryResponseStream({ highWaterMark: 4, slow: true });
    const writing = writeCars(stream, { count: 1_000, chunk: 10, delay: 0 }, noPause);
    stream.destroy();
    await expect(writing).rejects.toBeInstanceOf(ClientGoneError);
  });
});

describe("carBuffer", () => {
  test("holds exactly n cars", () => {
    expect(carBuffer(3).toString("utf8")).toBe("🚗🚗🚗");
    expect(carBuffer(0)).toHaveLength(0);
  });

  test("sizes and fills the buffer from the character itself, so every byte sent was written", () => {
    // ⭐ is 3 bytes in UTF-8: a fixed 4-byte stride would leave every fourth byte unwritten.
    expect(carBuffer(5, "⭐").equals(Buffer.from("⭐".repeat(5)))).toBe(true);
    expect(carBuffer(4, "a").toString()).toBe("aaaa");
    expect(carBuffer(2).equals(Buffer.from(CAR.repeat(2)))).toBe(true);
  });
});
