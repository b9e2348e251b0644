// The stand-in installs the `awslambda` global that handler/index.ts uses as it loads: first.
import "../helpers/response-stream";
import type { LambdaFunctionURLEvent } from "aws-lambda";
import { handler, streamCars } from "../../handler";
import { HTTP_INTEGRATION_CONTENT_TYPE, InMemoryResponseStream, STREAMING_HANDLER_MARK } from "../helpers/response-stream";

function urlEvent(rawQueryString: string): LambdaFunctionURLEvent {
  return { rawQueryString } as LambdaFunctionURLEvent;
}
const plentyOfTime = { getRemainingTimeInMillis: () => 60_000 };

describe("handler", () => {
  test("is wrapped by awslambda.streamifyResponse", () => {
    expect((handler as unknown as Record<symbol, unknown>)[STREAMING_HANDLER_MARK]).toBe("response");
  });

  test("streams the classic body byte for byte: new Array(1024 * 1024).join('🚗')", async () => {
    // GIVEN
    const stream = new InMemoryResponseStream();
    // WHEN
    await streamCars(urlEvent(""), stream, plentyOfTime);
    // THEN
    const expected = Buffer.from(new Array(1024 * 1024).join("🚗"), "utf8");
    expect(expected).toHaveLength(4_194_300);
    expect(stream.contentType).toBe(HTTP_INTEGRATION_CONTENT_TYPE);
    expect(stream.prelude).toEqual({ statusCode: 200, headers: { "content-type": "text/plain; charset=utf-8" } });
    expect(stream.body().equals(expected)).toBe(true);
    expect(stream.bodyWrites()).toHaveLength(1_024);
    expect(stream.writableEnded).toBe(true);
  });

  test("honours count and chunk", async () => {
    const stream = new InMemoryResponseStream();
    await streamCars(urlEvent("count=5&chunk=2"), stream, plentyOfTime);
    expect(stream.body().toString("utf8")).toBe("🚗🚗🚗🚗🚗");
    expect(stream.bodyWrites()).toEqual([8, 8, 4]);
  });

  test.each([
    ["count=-1", /^count must be an integer from 0 to 52428800 .*\(got "-1"\)$/],
    ["chunk=0", /^chunk must be an integer from 1 to 65536 .*\(got "0"\)$/],
    ["delay=x", /^delay must be an integer from 0 to 1000 .*\(got "x"\)$/],
    ["count=1&count=1", /^count was given 2 times/],
  ])("answers %s with 400 and a JSON error, and streams no cars", async (query, message) => {
    const stream = new InMemoryResponseStream();
    await streamCars(urlEvent(query), stream, plentyOfTime);
    expect(stream.prelude).toEqual({ statusCode: 400, headers: { "content-type": "application/json" } });
    const body = JSON.parse(stream.body().toString("utf8"));
    expect(Object.keys(body)).toEqual(["error"]);
    expect(body.error).toMatch(message);
    expect(stream.writableEnded).toBe(true);
  });

  test("answers 400 when writes × delay would outlast the function's remaining time", async () => {
    const stream = new InMemoryResponseStream();
    await streamCars(urlEvent("count=20&chunk=1&delay=100"), stream, { getRemainingTimeInMillis: () => 1_500 });
    expect(stream.prelude).toMatchObject({ statusCode: 400 });
    expect(JSON.parse(stream.body().toString("utf8")).error).toMatch(
      /need 20 writes × 100 ms = 2000 ms, but the function has 1500 ms left/,
    );
  });
});
