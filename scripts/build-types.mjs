// Writes the declarations of the `vpcep/client` entry point (dist/types/client/index.d.ts and what it
// refers to) with tsc. Run by `npm ci` (prepare) and `npm run build:types`, not by `npm start`: type-checking
// the client's part of the program takes several seconds, and the server and the CLI do not need it.
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
const result = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.client.json')], { stdio: 'inherit', cwd: root })
process.exit(result.status ?? 1)
