/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  // The source folders are roots too, so that a file no test loads still counts for coverage.
  roots: [
    "<rootDir>/__tests__",
    "<rootDir>/protocol",
    "<rootDir>/support",
    "<rootDir>/lib",
    "<rootDir>/handler",
    "<rootDir>/emulator",
    "<rootDir>/tools",
    "<rootDir>/bench",
  ],
  // Only *.test.ts files are suites; helpers and fixtures under __tests__ are not.
  testMatch: ["**/__tests__/**/*.test.ts"],
  // The compiled transport's suite needs aws-lambda-ric's native build, which needs a compiler:
  // `npm test` must pass on a machine without one, so that suite runs apart, as
  // `npm run test:native` (CI builds the client and runs both).
  testPathIgnorePatterns: [
    "/node_modules/",
    "\\.d\\.ts$",
    ...(process.env.NATIVE_TRANSPORT_TESTS ? [] : ["native-transport\\.test\\.ts$"]),
  ],
  transform: {
    // Type-checking is `tsc --noEmit` in `npm test`; with tsconfig's isolatedModules, ts-jest
    // only transpiles, file by file, which keeps the suite fast.
    "^.+\\.ts$": ["ts-jest", { diagnostics: false }],
  },
  // The test helpers under one name from any folder (tsconfig.json's `paths` says the same to tsc):
  // `import { bundleAndStart } from "lambda-streaming/testing"`.
  moduleNameMapper: { "^lambda-streaming/testing$": "<rootDir>/emulator/testing.ts" },
  setupFilesAfterEnv: ["<rootDir>/setup.js"],
  testTimeout: 30000,
  // Three workers even on two cores (jest's default would be one): most suites spend their time
  // waiting on child processes (runtime processes, their timeouts), not on the CPU. Measured on a
  // loaded 2-core machine: 88.5 s with two workers, 73.5 s with three.
  maxWorkers: 3,
  // The coverage floor (`npm test` collects coverage; CI runs it): every TypeScript file of the
  // project's code counts, tested or not, but for code that runs only inside the runtime's own
  // process (the transport's bundle entry, index.ts, loaded there), where in-process coverage
  // cannot see; runtime-client/transport.test.ts and every end-to-end suite run it there. The
  // transport's own modules are tested in-process as well (runtime-connection.test.ts). The .mjs files (the runtime's bootstrap, the bench's baseline server and
  // fixture) run only in child processes too.
  collectCoverageFrom: ["{protocol,support,lib,handler,emulator,tools,bench}/**/*.ts", "!**/*.d.ts", "!emulator/runtime-client/index.ts"],
  coverageReporters: ["text-summary", ["text", { skipFull: true }]],
  coverageThreshold: { global: { lines: 90, branches: 85 } },
};
