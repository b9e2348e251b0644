// `npm run synth`, `deploy` and `destroy` run this before cdktf: a bad configuration value stops
// them here with one line per bad variable. Left to cdktf, the same ConfigError from main.ts is
// printed twice, inside cdktf's own "[ERROR] … non-zero exit code" report.

import { ConfigError, readConfig } from "../lib/config";

try {
  readConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) {
    throw error;
  }
  console.error(error.message);
  process.exit(1);
}
