import { Invocation, type InvocationRequest } from "../../../emulator/runtime-api/invocation";

const REQUEST: InvocationRequest = {
  requestId: "id-1",
  event: Buffer.from("{}"),
  deadlineMs: Date.now() + 60_000,
  functionArn: "arn:aws:lambda:us-east-1:000000000000:function:f",
  traceId: "Root=1-a",
};

describe("Invocation", () => {
  test("a buffered answer: QUEUED → SENT → READING → DONE, answerable only while SENT", () => {
    const invocation = new Invocation(REQUEST);
    expect([invocation.state, invocation.answerable]).toEqual(["QUEUED", false]);
    invocation.sent();
    expect([invocation.state, invocation.answerable]).toEqual(["SENT", true]);
    invocation.reading();
    expect([invocation.state, invocation.answerable]).toEqual(["READING", false]);
    invocation.respond({ kind: "buffered", contentType: "application/json", body: Buffer.from("{}") });
    invocation.complete({});
    expect([invocation.state, invocation.answerable]).toEqual(["DONE", false]);
  });

  test("a streaming answer stays answerable while it flows (a second answer then gets 403, not 400)", () => {
    const invocation = new Invocation(REQUEST);
    invocation.sent();
    invocation.respond({ kind: "buffered", contentType: "text/plain", body: Buffer.alloc(0) });
    expect([invocation.state, invocation.answerable]).toEqual(["RESPONDING", true]);
  });

  test("a transition from the wrong state is a bug, said as one", () => {
    const invocation = new Invocation(REQUEST);
    expect(() => invocation.reading()).toThrow("invocation id-1 is QUEUED, not SENT: it cannot become READING");
  });

  test("an invocation cut off while its buffered body was read stays done (no DONE → RESPONDING → DONE)", async () => {
    const invocation = new Invocation({ ...REQUEST, requestId: "id-late" });
    invocation.sent();
    invocation.reading();
    // A timeout ends it while the runtime's /response body is still arriving…
    invocation.complete({ error: { errorType: "Sandbox.Timedout", errorMessage: "Task timed out" } });
    // …and then the body is complete.
    invocation.respond({ kind: "buffered", contentType: "application/json", body: Buffer.from("{}") });
    invocation.complete({});
    expect(invocation.state).toBe("DONE");
    expect(await invocation.response).toEqual({ kind: "error", error: { errorType: "Sandbox.Timedout", errorMessage: "Task timed out" } });
    expect(await invocation.completion).toEqual({ error: { errorType: "Sandbox.Timedout", errorMessage: "Task timed out" } });
  });
});
