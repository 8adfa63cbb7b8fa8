#!/usr/bin/env node
// The package's command. It runs the bundle that scripts/build.mjs writes (npm ci, npm start and npm run
// build do) because that starts in a fraction of the time; when the bundle is missing or older than a
// file under src/ (an edit since the last build), it compiles the sources with tsx instead, so it never
// runs stale code.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** The latest mtime of `dir` and everything under it; a directory's own counts, as deleting a file changes only that. */
function newestUnder(dir) {
  let newest = fs.statSync(dir).mtimeMs
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestUnder(full) : fs.statSync(full).mtimeMs)
  }
  return newest
}

function bundleIsCurrent() {
  try {
    return fs.statSync(path.join(root, 'dist', 'cli.mjs')).mtimeMs >= newestUnder(path.join(root, 'src'))
  } catch {
    return false
  }
}

if (bundleIsCurrent()) {
  await import('../dist/cli.mjs')
} else {
  const { register } = await import('tsx/esm/api')
  register()
  await import('../src/cli/main.ts')
}
