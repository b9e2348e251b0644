// `npm run bench -- --local-aws`, run small (`--smoke`): the local AWS's start, a terraform apply
// of the default stack into it against its plan, and a deployed function's cold first byte against
// npm start's, each row measured beside its baseline. Slow (the provider's own waits): run by
// `npm run test:local-aws`.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { BenchOutputs } from "../../bench/report";
import { runBench } from "../../bench/run";
import { describeWhenAvailable, missingReason, requireTerraformAndMirror } from "../helpers/requirements";
import { slowLocalAwsTests } from "../helpers/slow-local-aws";

slowLocalAwsTests("npm run bench -- --local-aws --smoke", (name) =>
  describeWhenAvailable(name, missingReason(requireTerraformAndMirror), () => {
    let dir: string;
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "ls-bench-aws-"));
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    test("measures each row beside its baseline and writes local-aws-results.json", async () => {
      const outputs: BenchOutputs = {
        results: path.join(dir, "results.json"),
        svg: path.join(dir, "streaming.svg"),
        localAws: path.join(dir, "local-aws-results.json"),
      };
      const lines: string[] = [];
      await runBench(["--local-aws", "--smoke"], (line) => lines.push(line), outputs);
      const rows = (JSON.parse(fs.readFileSync(outputs.localAws, "utf8")) as { rows: { name: string; local: number; baseline: number }[] })
        .rows;
      expect(rows.map((row) => row.name)).toEqual([
        "npm run local-aws: spawn to endpoint printed (median of 1)",
        "terraform apply of the default stack into it, vs its plan",
        "same, less the provider's fixed 5 s wait after CreateFunction (derived)",
        "cold first byte, fresh server: deployed function vs npm start (median of 1)",
      ]);
      for (const row of rows) {
        expect(row.local).toBeGreaterThan(0);
        expect(row.baseline).toBeGreaterThan(0);
      }
      expect(lines.some((line) => /^applied the default stack into the local AWS: http:\/\/127\.0\.0\.1:\d+\/$/.test(line))).toBe(true);
      expect(fs.existsSync(outputs.results)).toBe(false);
    }, 120_000);
  }),
);
