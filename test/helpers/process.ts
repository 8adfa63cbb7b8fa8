import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { spawn, spawnSync } from 'node:child_process'
import type { NewAccount } from '../../src/identity/accounts.ts'
import { bundleIsCurrent, projectRoot } from '../../scripts/bundle-age.mjs'

/**
 * The server as `npm start` runs it: the bundle of src/main.ts that scripts/build.mjs writes (and
 * scripts/run-tests.mjs rebuilds before every run), relative to the project root, the tests' working directory.
 */
export const SERVER_BUNDLE = 'dist/main.mjs'
const BUNDLES = ['main.mjs', 'cli.mjs', 'client.mjs']

/**
 * Rebuilds dist/ when a bundle is missing or older than src/: a test file run on its own (not through
 * scripts/run-tests.mjs) after an edit would otherwise test the code as it was. The build replaces each
 * file by a rename, so test processes rebuilding at once never see half a bundle.
 */
export function ensureCurrentBundles(): void {
  if (BUNDLES.every(bundleIsCurrent)) return
  const build = spawnSync(process.execPath, [path.join(projectRoot, 'scripts/build.mjs')], { encoding: 'utf8' })
  const stale = BUNDLES.filter((bundle) => !bundleIsCurrent(bundle))
  if (build.status !== 0 || stale.length > 0) throw new Error(`dist/ is older than src/ (${stale.join(', ')}) and scripts/build.mjs did not fix it:\n${build.stderr}`)
}

/** `node` arguments that start the server as `npm start` does, the current bundle by its absolute path so the process may run in any folder. */
export function serverArgs(): string[] {
  ensureCurrentBundles()
  return ['--enable-source-maps', path.resolve(SERVER_BUNDLE)]
}

/** A server process (the bundle of `src/main.ts`) started by a test. */
export interface ServerProcess {
  /** `http://127.0.0.1:<port>`, as the process printed it. */
  url: string
  pid: number
  /** Everything the process wrote so far, stdout and stderr interleaved. */
  output(): string
  /** SIGTERM, then waits for the exit; answers the exit code (null when a signal ended it). */
  stop(): Promise<number | null>
  /** SIGKILL (`kill -9`): no shutdown code runs. Waits for the exit. */
  kill(): Promise<void>
  /** Settles when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

const LISTENING = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/

/**
 * Starts the server as `npm start` does (`node --enable-source-maps dist/main.mjs`) on a free port, with `env`
 * added to this process's environment, and waits until it listens (the "Server listening at" line is
 * logged at level info, so VPCEP_LOG_LEVEL must stay info or lower).
 */
export async function startServerProcess(env: Record<string, string>, timeoutMs = 20000): Promise<ServerProcess> {
  // In an empty folder of its own: what a server writes beside itself (a PostgreSQL server's demo account file) stays out of the checkout.
  const child = spawn(process.execPath, serverArgs(), {
    cwd: fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-cwd-')),
    env: { ...process.env, VPCEP_HOST: '127.0.0.1', VPCEP_PORT: '0', VPCEP_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (chunk) => (output += chunk))
  child.stderr.on('data', (chunk) => (output += chunk))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`server did not start within ${timeoutMs} ms:\n${output}`))
    }, timeoutMs)
    const check = () => {
      const match = LISTENING.exec(output)
      if (match) {
        clearTimeout(timer)
        resolve(match[1]!)
      }
    }
    child.stdout.on('data', check)
    void exited.then(({ code, signal }) => {
      clearTimeout(timer)
      reject(new Error(`server exited (code ${code}, signal ${signal}) before listening:\n${output}`))
    })
  })
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name)
    return exited
  }
  return {
    url,
    pid: child.pid!,
    output: () => output,
    exited,
    stop: async () => (await signal('SIGTERM')).code,
    kill: async () => {
      await signal('SIGKILL')
    },
  }
}

/** `vpcep accounts create <name> --json` against `databaseUrl`, as an operator runs it. */
export function cliAccount(databaseUrl: string, name: string, env: Record<string, string> = {}): NewAccount {
  const result = spawnSync(process.execPath, ['bin/vpcep.js', 'accounts', 'create', name, '--json'], { env: { ...process.env, ...env, VPCEP_DATABASE_URL: databaseUrl }, encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`vpcep accounts create ${name} failed (${result.status}): ${result.stderr}`)
  const wire = JSON.parse(result.stdout)
  return {
    domainId: wire.domain_id,
    domainName: wire.domain_name,
    projectId: wire.project_id,
    projectName: wire.project_name,
    userName: wire.user_name,
    password: wire.password,
    accessKey: wire.access_key,
    secretKey: wire.secret_key,
  }
}
