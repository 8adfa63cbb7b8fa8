// Bundles the server (src/main.ts → dist/main.mjs), the CLI (src/cli/main.ts → dist/cli.mjs) and the typed
// client that package.json exports as `vpcep/client` (src/client/index.ts → dist/client.mjs) so they start
// without tsx compiling every module at load; scripts/build-types.mjs writes the client's declarations. Silent on success; `npm start`, `npm ci` (prepare), the
// test runner and the benchmarks all run it, so the bundles never lag behind src/.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const dist = path.join(root, 'dist')

// Dependencies stay in node_modules (native addons, pino's worker transports and CommonJS requires would
// not survive inlining), except these pure-ESM ones: typebox alone is ~700 files, and resolving and
// loading those one by one took most of the start-up time even without tsx. No external package imports
// them at run time, so the bundle holds the only copy.
const INLINED = new Set(['typebox', 'kysely'])

const packageName = (specifier) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/')

/** @type {import('esbuild').Plugin} */
const dependencies = {
  name: 'dependencies',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => (INLINED.has(packageName(args.path)) ? undefined : { path: args.path, external: true }))
  },
}

/** Writes the outputs, then removes chunks that no build has written for a minute. */
function writeOutputs(outputFiles) {
  for (const file of outputFiles) {
    fs.mkdirSync(path.dirname(file.path), { recursive: true })
    // Through a rename: a server starting (or a second `npm start` building) while this runs must see the
    // old file or the new one, never a half-written one.
    const temporary = `${file.path}.${process.pid}.tmp`
    fs.writeFileSync(temporary, file.contents)
    fs.renameSync(temporary, file.path)
  }
  // Chunk names carry a content hash, so each change to src/ leaves the previous ones behind. Those of
  // another build that has just run (its sources differing while they are being edited) must stay: the
  // entry files it wrote, which may be the ones on disk now, import them.
  const chunks = path.join(dist, 'chunks')
  const current = new Set(outputFiles.map((file) => file.path))
  const cutoff = Date.now() - 60_000
  for (const name of fs.existsSync(chunks) ? fs.readdirSync(chunks) : []) {
    const full = path.join(chunks, name)
    if (!current.has(full) && fs.statSync(full, { throwIfNoEntry: false })?.mtimeMs < cutoff) fs.rmSync(full, { force: true })
  }
}

try {
  const result = await build({
    absWorkingDir: root,
    // One build for both: the code they share (typebox above all) is parsed once.
    entryPoints: { main: 'src/main.ts', cli: 'src/cli/main.ts', client: 'src/client/index.ts' },
    outdir: dist,
    outExtension: { '.js': '.mjs' },
    // Split at the CLI's dynamic imports: the API-client commands must not load the server and the
    // database drivers (in one file, esbuild hoists every external import to the top). The shared code
    // goes to a few chunks, which the server loads beside main.mjs.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    plugins: [dependencies],
    // The maps point into src/ and node_modules/, which sit beside dist/; copying their text in would
    // make the maps several times larger and the build slower.
    sourcemap: true,
    sourcesContent: false,
    write: false,
    logLevel: 'warning',
  })
  writeOutputs(result.outputFiles)
} catch (error) {
  // esbuild has already printed its errors with their locations; anything else (a write failing) has not.
  if (!error?.errors) console.error(error)
  process.exit(1)
}
