// cdktf's Jest matchers (toHaveResourceWithProperties, toHaveProvider, …), which
// `Testing.setupJest()` adds to expect. Jest loads every module afresh for each test file, and
// loading cdktf costs about 0.1 s of CPU, while most test files use none of its matchers: so each
// is added here as a stand-in that, on first use in a file, calls `Testing.setupJest()` and hands
// over to cdktf's own matcher.
const MATCHERS = [
  "toHaveResource",
  "toHaveResourceWithProperties",
  "toHaveDataSource",
  "toHaveDataSourceWithProperties",
  "toHaveProvider",
  "toHaveProviderWithProperties",
  "toBeValidTerraform",
  "toPlanSuccessfully",
];

let cdktfMatchers;

/** The matchers `Testing.setupJest()` passes to `expect.extend`, taken as it passes them. */
function loadCdktfMatchers() {
  if (cdktfMatchers === undefined) {
    const jestExpect = global.expect;
    let given;
    global.expect = { extend: (matchers) => (given = matchers) };
    try {
      require("cdktf").Testing.setupJest();
    } finally {
      global.expect = jestExpect;
    }
    const names = Object.keys(given ?? {});
    if (names.sort().join() !== [...MATCHERS].sort().join()) {
      throw new Error(`Testing.setupJest() adds ${names.join(", ")}; setup.js lists ${MATCHERS.join(", ")}: make the list match.`);
    }
    cdktfMatchers = given;
  }
  return cdktfMatchers;
}

expect.extend(
  Object.fromEntries(
    MATCHERS.map((name) => [
      name,
      function (...args) {
        return loadCdktfMatchers()[name].apply(this, args);
      },
    ]),
  ),
);
