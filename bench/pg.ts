// A throwaway PostgreSQL cluster for the benchmark. Unlike scripts/pg-cluster.mjs (tests: fsync off), every
// commit here is durable: fsync, synchronous_commit and full_page_writes stay on, as in production.
import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

/** The newest /usr/lib/postgresql/<major>/bin that has initdb, or undefined. */
export function findPostgresBin(): string | undefined {
  const root = '/usr/lib/postgresql'
  if (!fs.existsSync(root)) return undefined
  const majors = fs
    .readdirSync(root)
    .filter((v) => /^\d+$/.test(v) && fs.existsSync(path.join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a))
  return majors.length > 0 ? path.join(root, majors[0]!, 'bin') : undefined
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

function asServerUser(bin: string, args: string[]) {
  const isRoot = process.getuid?.() === 0
  const [command, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args]
  return spawnSync(command as string, argv as string[], { encoding: 'utf8' })
}

export interface DurableCluster {
  /** Superuser URL to the `postgres` database. */
  url: string
  port: number
  /** Major version. */
  version: string
  stop(): void
}

/** Starts a cluster with durable commits on 127.0.0.1 only; stop() removes its files. */
export async function startDurableCluster(): Promise<DurableCluster> {
  const bin = findPostgresBin()
  if (!bin) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-bench-pg-'))
  const data = path.join(dir, 'data')
  if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'postgres:postgres', dir])
  fs.chmodSync(dir, 0o700)
  const init = asServerUser(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-instructions', '--locale=C'])
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`)
  const port = await freePort()
  const options = `-h 127.0.0.1 -p ${port} -k ${dir} -c fsync=on -c synchronous_commit=on -c full_page_writes=on -c max_connections=100`
  const start = asServerUser(path.join(bin, 'pg_ctl'), ['-D', data, '-o', options, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', 'start'])
  if (start.status !== 0) throw new Error(`pg_ctl start failed: ${start.stderr}`)
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    version: path.basename(path.dirname(bin)),
    stop() {
      asServerUser(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'])
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}
