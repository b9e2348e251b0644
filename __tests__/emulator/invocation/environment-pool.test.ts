// The pool's version switch (watch mode) at a moment the test chooses: a new version arrives while
// an invocation is in flight on the old one, which finishes there and is then retired. The dev loop
// test saves a file during a slow stream and usually, but not on every loaded run, sees the same.

import { locateRuntime } from "../../../emulator/environment/runtime-command";
import { EnvironmentPool } from "../../../emulator/invocation/environment-pool";
import { splitPrelude } from "../../../emulator/url/prelude";
import { fixtureFunction } from "../../helpers/function-config";
import { LogCollector } from "../../helpers/log-collector";
import { describeWhenAvailable, missingReason } from "../../helpers/requirements";

/** The body of a streamed HTTP answer as the runtime sends it: prelude, eight NUL bytes, body. */
function bodyAfterPrelude(payload: Buffer): string {
  const split = splitPrelude(payload);
  if (typeof split === "string") throw new Error(split);
  return split.body.toString();
}

describeWhenAvailable("EnvironmentPool.setFunction", missingReason(locateRuntime), () => {
  test("an invocation in flight finishes on the old version, whose environment is then retired; new ones run the new", async () => {
    const log = new LogCollector();
    const v1 = fixtureFunction({ functionName: "versions", handler: "handlers.paced", timeoutSeconds: 30 });
    const v2 = fixtureFunction({ functionName: "versions", handler: "misbehaving.environment", environment: { GENERATION: "2" } });
    const pool = new EnvironmentPool(v1, locateRuntime(), { maxEnvironments: 2, log: log.sink });
    try {
      const first = pool.invoke(Buffer.from(JSON.stringify({ queryStringParameters: { count: "2", ms: "10" } })));
      const answer = await first.response;
      if (answer.kind !== "streaming") throw new Error(`expected a stream, got ${answer.kind}`);
      // Its body is not read yet, so the invocation cannot end: the new version comes mid-flight.
      pool.setFunction(v2);
      expect(pool.stats()).toMatchObject({ environments: 1, idle: 0, inFlight: 1 });
      const chunks: Buffer[] = [];
      answer.body.on("data", (chunk: Buffer) => chunks.push(chunk));
      await log.waitFor(new RegExp(`^REPORT RequestId: ${first.requestId}`));
      expect(bodyAfterPrelude(Buffer.concat(chunks))).toBe("chunk-0\nchunk-1\n");
      // Done with the old version, its environment is gone rather than kept idle.
      expect(pool.stats()).toMatchObject({ environments: 0, idle: 0, inFlight: 0 });
      const second = pool.invoke(Buffer.from("{}"));
      const next = await second.response;
      if (next.kind !== "streaming") throw new Error(`expected a stream, got ${next.kind}`);
      const parts: Buffer[] = [];
      for await (const part of next.body) parts.push(part as Buffer);
      expect(JSON.parse(bodyAfterPrelude(Buffer.concat(parts))).env.GENERATION).toBe("2");
    } finally {
      await pool.close();
    }
  });
});
