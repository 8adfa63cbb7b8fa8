// A throwaway PostgreSQL cluster for tests and local experiments: Debian's own binaries, a temporary data
// directory, listening on 127.0.0.1 only. As root, the server runs as the `postgres` OS user.
import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

/** The newest /usr/lib/postgresql/<major>/bin that has initdb, or undefined. */
export function findPostgresBin() {
  const root = '/usr/lib/postgresql'
  if (!fs.existsSync(root)) return undefined
  const majors = fs
    .readdirSync(root)
    .filter((v) => /^\d+$/.test(v) && fs.existsSync(path.join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a))
  return majors.length > 0 ? path.join(root, majors[0], 'bin') : undefined
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

function asServerUser(bin, args, options = {}) {
  const isRoot = process.getuid?.() === 0
  const [command, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args]
  return spawnSync(command, argv, { encoding: 'utf8', ...options })
}

/**
 * Starts a cluster and answers { url, stop() }. `url` is a superuser URL to the `postgres` database;
 * tests create a database of their own in it. Tests trade durability for speed (fsync off); `durable`
 * keeps every commit on disk, as in production, for benchmarks.
 */
export async function startCluster({ durable = false } = {}) {
  const bin = findPostgresBin()
  if (!bin) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-pg-'))
  const data = path.join(dir, 'data')
  if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'postgres:postgres', dir])
  fs.chmodSync(dir, 0o700)
  const init = asServerUser(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-instructions', '--locale=C'])
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`)
  const port = await freePort()
  const durability = durable ? 'on' : 'off'
  const options = `-h 127.0.0.1 -p ${port} -k ${dir} -c fsync=${durability} -c synchronous_commit=${durability} -c full_page_writes=${durability} -c max_connections=300`
  const start = asServerUser(path.join(bin, 'pg_ctl'), ['-D', data, '-o', options, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', 'start'])
  if (start.status !== 0) throw new Error(`pg_ctl start failed: ${start.stderr}\n${fs.existsSync(path.join(dir, 'server.log')) ? fs.readFileSync(path.join(dir, 'server.log'), 'utf8') : ''}`)
  const startServer = () => asServerUser(path.join(bin, 'pg_ctl'), ['-D', data, '-o', options, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', 'start'])
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    dir,
    port,
    /** Major version, e.g. "15". */
    version: path.basename(path.dirname(bin)),
    /** Stops the server but keeps its data, to simulate an outage. */
    pause() {
      const result = asServerUser(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop'])
      if (result.status !== 0) throw new Error(`pg_ctl stop failed: ${result.stderr}`)
    },
    /** Starts the paused server again on the same port and data. */
    resume() {
      const result = startServer()
      if (result.status !== 0) throw new Error(`pg_ctl start failed: ${result.stderr}`)
    },
    /** Stops the server immediately and removes its files. */
    stop() {
      asServerUser(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'])
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}
