// A node:test reporter that writes no progress, only, at the end, one JSON line with every leaf test's result
// and the suite names above it. scripts/run-tests.mjs reads that line to count the tests each database and the
// browser really ran: a summary of "skipped 0" says nothing when a whole half was never declared.

/** Relies on node:test emitting `test:start` in declaration order, nested tests after their suite. */
export default async function* testCounts(source) {
  const ancestorsByFile = new Map()
  const results = []
  for await (const event of source) {
    const data = event.data
    if (event.type === 'test:start') {
      const stack = ancestorsByFile.get(data.file) ?? []
      stack.length = data.nesting
      stack.push(data.name)
      ancestorsByFile.set(data.file, stack)
      continue
    }
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue
    // A skipped suite declares none of its tests; it stands for them as one skipped entry.
    if (data.details?.type === 'suite' && data.skip === undefined) continue
    const ancestors = (ancestorsByFile.get(data.file) ?? []).slice(0, data.nesting)
    const outcome = data.skip !== undefined ? 'skipped' : data.todo !== undefined ? 'todo' : event.type === 'test:pass' ? 'passed' : 'failed'
    results.push({ file: data.file ?? '', path: [...ancestors, data.name], outcome })
  }
  yield `${JSON.stringify(results)}\n`
}
