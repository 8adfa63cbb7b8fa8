// Whether a bundle in dist/ still holds what src/ says: the command (bin/vpcep.js) falls back to the sources
// when it does not, and the tests that run a bundle rebuild it first (test/helpers/process.ts).
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** The latest mtime of `dir` and everything under it; a directory's own counts, as deleting a file changes only that. */
function newestUnder(dir) {
  let newest = fs.statSync(dir).mtimeMs
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestUnder(full) : fs.statSync(full).mtimeMs)
  }
  return newest
}

/** True when dist/`bundle` exists and is not older than any file under src/. */
export function bundleIsCurrent(bundle) {
  try {
    return fs.statSync(path.join(projectRoot, 'dist', bundle)).mtimeMs >= newestUnder(path.join(projectRoot, 'src'))
  } catch {
    return false
  }
}
