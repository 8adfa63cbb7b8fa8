/** Types of test-counts.mjs, for its tests. */
export type Outcome = 'passed' | 'failed' | 'skipped' | 'todo'
export interface TestResult {
  file: string
  path: string[]
  outcome: Outcome
}
export interface Count {
  run: number
  passed: number
  failed: number
  skipped: number
  todo: number
}
export interface TestCounts {
  counts: Record<'total' | 'other' | 'chromium' | 'sqlite' | 'postgres', Count>
  unmatched: { database: string; missingOn: string; test: string }[]
}
export const DATABASES: string[]
export function countTests(results: TestResult[]): TestCounts
export function incompleteRunReasons(summary: TestCounts, wholeSuite: boolean): string[]
export function formatCounts(summary: TestCounts): string
