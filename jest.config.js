/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
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
  // The coverage floor (`npm test` collects coverage; CI runs it): every file of the project's
  // code counts, tested or not.
  collectCoverageFrom: ["{lib,handler,emulator,tools,bench}/**/*.{ts,mjs}", "!**/*.d.ts"],
  coverageReporters: ["text-summary", ["text", { skipFull: true }]],
  coverageThreshold: { global: { lines: 90, branches: 85 } },
};
