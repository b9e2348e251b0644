// The stream judge the end-to-end suites use: arrivedProgressively, and the matcher that prints
// its detail when a response did not arrive as a stream.

import { arrivedProgressively, type RecordedResponse } from "./http-client";

/** A response of three 4-byte pieces read at `times` ms, each read holding `sizes` bytes. */
function recorded(times: number[], sizes: number[]): RecordedResponse {
  return {
    status: 200,
    headers: {},
    body: Buffer.from("🚗🚗🚗"),
    chunks: times.map((at, k) => ({ at, bytes: sizes[k] })),
    truncated: false,
  };
}

test("three writes 200 ms apart, each read on its own, arrived progressively", () => {
  const res = recorded([10, 210, 410], [4, 4, 4]);
  expect(arrivedProgressively(res, 3, 200).ok).toBe(true);
  expect(res).toArriveProgressively(3, 200);
});

test("a late first read that held two pieces needs no spread for the last one", () => {
  expect(recorded([400, 405], [8, 4])).toArriveProgressively(3, 200);
});

test("all at once fails, and the failure says what arrived", () => {
  const res = recorded([400], [12]);
  expect(() => expect(res).toArriveProgressively(3, 200)).toThrow(
    "expected to arrive progressively as 3 writes 200 ms apart: first read held 3 of 3 pieces; 0 ms from first read to last (at least 0 expected)",
  );
  expect(res).not.toArriveProgressively(3, 200);
});

test("pieces read one by one but too close together fail, with the spread the writes needed", () => {
  const res = recorded([10, 20, 30], [4, 4, 4]);
  expect(() => expect(res).toArriveProgressively(3, 200)).toThrow("20 ms from first read to last (at least 180 expected)");
});
