#!/usr/bin/env node
// The package's command. It runs the bundle that scripts/build.mjs writes (npm ci, npm start and npm run
// build do) because that starts in a fraction of the time; when the bundle is missing or older than a
// file under src/ (an edit since the last build), it compiles the sources with tsx instead, so it never
// runs stale code.
import { bundleIsCurrent } from '../scripts/bundle-age.mjs'

if (bundleIsCurrent('cli.mjs')) {
  await import('../dist/cli.mjs')
} else {
  const { register } = await import('tsx/esm/api')
  register()
  await import('../src/cli/main.ts')
}
