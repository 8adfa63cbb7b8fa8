import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/*
 * Files shipped beside the code (package.json, the console's static assets) are found from the project
 * root, not relative to the calling module: the same module runs from src/ under tsx and from one bundle
 * in dist/, so a relative path could be right in only one of them.
 */

let root: string | undefined

/** The directory holding vpcep's package.json, found by walking up from this module's location. */
export function projectRoot(): string {
  if (root !== undefined) return root
  const start = path.dirname(fileURLToPath(import.meta.url))
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (isVpcepPackage(path.join(dir, 'package.json'))) return (root = dir)
    if (path.dirname(dir) === dir) throw new Error(`cannot find vpcep's package.json in ${start} or any directory above it`)
  }
}

function isVpcepPackage(file: string): boolean {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch {
    return false
  }
  // Another package.json on the way up (a workspace, a bundler's) is skipped, not taken for ours.
  try {
    return (JSON.parse(text) as { name?: unknown }).name === 'vpcep'
  } catch {
    return false
  }
}
