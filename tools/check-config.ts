// `npm run synth`, `deploy` and `destroy` run this before cdktf: a bad configuration value stops
// them here with one line per bad variable. Left to cdktf, the same ConfigError from main.ts is
// printed twice, inside cdktf's own "[ERROR] … non-zero exit code" report. With `--deploy`
// (deploy and destroy) it then checks what they need from the machine (deploy-preflight.ts).

import { ConfigError, readConfig } from "../lib/config";
import { deployProblems } from "./deploy-preflight";

/** The one-line-per-variable problem with `env`'s configuration, or undefined when it is good. */
export function configProblem(env: NodeJS.ProcessEnv): string | undefined {
  try {
    readConfig(env);
    return undefined;
  } catch (error) {
    if (!(error instanceof ConfigError)) {
      throw error;
    }
    return error.message;
  }
}

if (require.main === module) {
  const problem = configProblem(process.env);
  if (problem !== undefined) {
    console.error(problem);
    process.exit(1);
  }
  if (process.argv.includes("--deploy")) {
    void deployProblems(process.env).then((problems) => {
      for (const line of problems) console.error(line);
      process.exit(problems.length > 0 ? 1 : 0);
    });
  }
}
