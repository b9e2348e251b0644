// An execution environment's memory watch, driven poll by poll: the test runs the watch's poll
// itself (not the clock) and holds a memory reading open, so the branches that a slow reading or a
// process ending mid-reading take on a loaded machine are taken here on purpose, every run.

import { ExecutionEnvironment } from "../../../emulator/environment/execution-environment";
import { type ResidentMemory, residentMemory } from "../../../emulator/environment/process-memory";
import { locateRuntime } from "../../../emulator/environment/runtime-command";
import { fixtureFunction } from "../../helpers/function-config";
import { LogCollector } from "../../helpers/log-collector";
import { describeWhenAvailable, missingReason } from "../../helpers/requirements";

jest.mock("../../../emulator/environment/process-memory", () => {
  const actual = jest.requireActual<typeof import("../../../emulator/environment/process-memory")>(
    "../../../emulator/environment/process-memory",
  );
  return { ...actual, residentMemory: jest.fn(actual.residentMemory) };
});
const readMemory = residentMemory as jest.MockedFunction<typeof residentMemory>;

/** The memory watch's poll interval (memory-watch.ts, MEMORY_POLL_MS). */
const MEMORY_POLL_MS = 50;

describeWhenAvailable("an execution environment's memory watch", missingReason(locateRuntime), () => {
  const polls: Array<() => void> = [];
  let setIntervalSpy: jest.SpyInstance | undefined;
  beforeEach(() => {
    polls.length = 0;
    readMemory.mockClear();
    // The watch's interval is captured: a dormant timer stands in (cleared as the real one would
    // be), and the test calls the poll when it chooses.
    const realSetInterval = global.setInterval;
    setIntervalSpy = jest.spyOn(global, "setInterval").mockImplementation(((poll: () => void, ms?: number) => {
      if (ms !== MEMORY_POLL_MS) return realSetInterval(poll, ms);
      polls.push(poll);
      return realSetInterval(() => undefined, 2 ** 30);
    }) as typeof setInterval);
  });
  afterEach(() => setIntervalSpy?.mockRestore());

  test("one reading at a time; a reading that comes back after the process ended counts for nothing", async () => {
    const log = new LogCollector();
    const fn = fixtureFunction({ functionName: "memory-watch", handler: "faults.handler", timeoutSeconds: 30 });
    const env = await ExecutionEnvironment.start(fn, locateRuntime(), { log: log.sink });
    try {
      let answerReading!: (memory: ResidentMemory | undefined) => void;
      readMemory.mockImplementationOnce(() => new Promise((resolve) => (answerReading = resolve)));
      // The handler writes a little, then exits the process (?fault=exit).
      const event = Buffer.from(JSON.stringify({ queryStringParameters: { fault: "exit" } }));
      const invocation = env.invoke({ requestId: "req-1", event, traceId: "Root=1-a", onTimeout: () => undefined });
      expect(polls).toHaveLength(1);
      // A reading starts, and is held open; the next poll finds it still going and reads nothing.
      polls[0]();
      polls[0]();
      expect(readMemory).toHaveBeenCalledTimes(1);
      const answer = await invocation.response;
      if (answer.kind === "streaming") answer.body.resume();
      expect(await invocation.ended).toMatchObject({ kind: "died" });
      // The held reading comes back once the process has ended, far above the memory size: it is
      // neither counted as the invocation's peak nor taken for running out of memory.
      answerReading({ rssMb: 100 * fn.memoryMb });
      await new Promise((resolve) => setImmediate(resolve));
      expect(env.maxMemoryUsedMb()).toBeUndefined();
      expect(env.exitReason()).toBe("Runtime exited with error: exit status 1");
    } finally {
      await env.stop();
    }
  });
});
