import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/*
 * Files shipped beside the code (package.json, the console's static assets) are found from the project
 * root, not relative to the calling module: the same module runs from src/ under tsx and from one bundle
 * in dist/, so a relative path could be right in only one of them.
 */

interface Project {
  root: string
  /** vpcep's package.json, as read while looking for the root. */
  manifest: { name: string; version: string }
}

let project: Project | undefined

function findProject(): Project {
  if (project !== undefined) return project
  const start = path.dirname(fileURLToPath(import.meta.url))
  for (let dir = start; ; dir = path.dirname(dir)) {
    const manifest = vpcepManifest(path.join(dir, 'package.json'))
    if (manifest) return (project = { root: dir, manifest })
    if (path.dirname(dir) === dir) throw new Error(`cannot find vpcep's package.json in ${start} or any directory above it`)
  }
}

/** The directory holding vpcep's package.json, found by walking up from this module's location. */
export function projectRoot(): string {
  return findProject().root
}

/** vpcep's version, from its package.json. */
export function projectVersion(): string {
  return findProject().manifest.version
}

function vpcepManifest(file: string): Project['manifest'] | undefined {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
  // Another package.json on the way up (a workspace, a bundler's) is skipped, not taken for ours.
  try {
    const manifest = JSON.parse(text) as Partial<Project['manifest']>
    return manifest.name === 'vpcep' ? (manifest as Project['manifest']) : undefined
  } catch {
    return undefined
  }
}
