// Mutation testing, run by hand (`npm run mutation`; not part of `npm test` or CI: it takes long). See
// docs/testing.md for the scores measured and the surviving mutants kept.
//
// VPCEP_MUTATION_SCOPE picks what is mutated and which tests judge it: identity, domain, store, or all (the
// default); VPCEP_MUTATE (comma-separated globs) narrows what is mutated within that scope. Tests run on SQLite only: no VPCEP_TEST_PG_URL is set, so dialects() declares the SQLite suites.
// Test files that start dist/ bundles as processes are left out: they would run the unmutated bundle.
// Coverage is per test file (the tap runner's unit), so each mutant runs only the files that reach it.

const IDENTITY_TESTS = [
  'test/unit/signature.test.ts',
  'test/unit/signature-edges.test.ts',
  'test/unit/throttle.test.ts',
  'test/unit/secrets.test.ts',
  'test/api/authentication.test.ts',
  'test/api/security.test.ts',
  'test/api/iam-sdk.test.ts',
  'test/security/signed-headers.test.ts',
  'test/security/guessing.test.ts',
  'test/security/body-integrity.test.ts',
]

// Everything that drives the server in this process; not the Terraform and Go-client suites (slow
// external tools), nor the fuzz and isolation matrices, which reach every mutant and would dominate the run.
const SERVICE_TESTS = [
  'test/api/{admin,endpoints-settings,error-codes,errors,flow,isolation,lists,operations,persistence,services-update,tags,v2,whitelist}.test.ts',
  'test/store/*.test.ts',
  'test/events/{delivery,outbox-follower,subscriptions}.test.ts',
  'test/concurrency/single-instance.test.ts',
  'test/faults/sqlite-faults.test.ts',
  'test/unit/*.test.ts',
]

const SCOPES = {
  identity: { mutate: ['src/identity/**/*.ts'], testFiles: IDENTITY_TESTS },
  domain: { mutate: ['src/domain/**/*.ts'], testFiles: SERVICE_TESTS },
  store: { mutate: ['src/store/**/*.ts'], testFiles: SERVICE_TESTS },
  all: { mutate: ['src/identity/**/*.ts', 'src/domain/**/*.ts', 'src/store/**/*.ts'], testFiles: [...IDENTITY_TESTS, ...SERVICE_TESTS] },
}

const scopeName = process.env.VPCEP_MUTATION_SCOPE ?? 'all'
const scope = SCOPES[scopeName]
if (!scope) throw new Error(`VPCEP_MUTATION_SCOPE must be one of ${Object.keys(SCOPES).join(', ')}; got ${scopeName}`)
const mutate = process.env.VPCEP_MUTATE ? process.env.VPCEP_MUTATE.split(',') : scope.mutate
delete process.env.VPCEP_TEST_PG_URL

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  plugins: ['@stryker-mutator/tap-runner', '@stryker-mutator/typescript-checker'],
  testRunner: 'tap',
  tap: {
    testFiles: scope.testFiles,
    nodeArgs: ['--test-reporter=tap', '--import', 'tsx', '-r', '{{hookFile}}', '{{testFile}}'],
  },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  mutate,
  coverageAnalysis: 'perTest',
  // Re-runs only mutants whose code or covering tests changed since the last run of the same scope.
  incremental: true,
  incrementalFile: `reports/mutation/${scopeName}-incremental.json`,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${scopeName}.html` },
  jsonReporter: { fileName: `reports/mutation/${scopeName}.json` },
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0 },
  tempDirName: '.stryker-tmp',
  ignorePatterns: ['dist', 'reports', 'data', '.tmp'],
  // Two cores, shared: one test process per core.
  concurrency: 2,
  timeoutMS: 20000,
}
