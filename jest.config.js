/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  // The source folders are roots too, so that a file no test loads still counts for coverage.
  roots: ["<rootDir>/__tests__", "<rootDir>/lib", "<rootDir>/handler", "<rootDir>/emulator", "<rootDir>/tools", "<rootDir>/bench"],
  // Only *.test.ts files are suites; helpers and fixtures under __tests__ are not.
  testMatch: ["**/__tests__/**/*.test.ts"],
  testPathIgnorePatterns: ["/node_modules/", "\\.d\\.ts$"],
  transform: {
    // Type-checking is `tsc --noEmit` in `npm test`; with tsconfig's isolatedModules, ts-jest
    // only transpiles, file by file, which keeps the suite fast.
    "^.+\\.ts$": ["ts-jest", { diagnostics: false }],
  },
  setupFilesAfterEnv: ["<rootDir>/setup.js"],
  testTimeout: 30000,
  // The coverage floor (`npm test` collects coverage; CI runs it): every TypeScript file of the
  // project's code counts, tested or not. The few .mjs files (the runtime's bootstrap, the bench's
  // baseline server and fixture) run only in child processes, which in-process coverage cannot see;
  // the end-to-end suites run them.
  collectCoverageFrom: ["{lib,handler,emulator,tools,bench}/**/*.ts", "!**/*.d.ts"],
  coverageReporters: ["text-summary", ["text", { skipFull: true }]],
  coverageThreshold: { global: { lines: 90, branches: 85 } },
};
