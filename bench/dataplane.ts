import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { openStore } from '../src/store/database.ts'
import { createAccount } from '../src/identity/accounts.ts'
import { systemClock } from '../src/domain/clock.ts'
import { VpcepClient } from '../src/client/client.ts'

/*
 * Data plane rows: bulk TCP throughput through an accepted endpoint against straight to the backend,
 * small request/response latency added (p50, p99), new connections per second, and memory per idle
 * connection, each measured in the same run as its direct baseline. vpcep (with its embedded data plane)
 * and the backend run in processes of their own; the load runs here.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const BULK_MB = Number(process.env.BENCH_DP_BULK_MB ?? 1024)
const PINGS = Number(process.env.BENCH_DP_PINGS ?? 20_000)
const CONNECT_SECONDS = Number(process.env.BENCH_DP_CONNECT_SECONDS ?? 3)
const IDLE = Number(process.env.BENCH_DP_IDLE ?? 2000)
const log = (text: string) => process.stderr.write(`[bench dataplane] ${text}\n`)

function rssKb(pid: number): number {
  const line = fs.readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))
  return Number(line?.split(/\s+/)[1] ?? 0)
}

/** CPU time (user + system) a process has used so far, in ms; /proc counts it in clock ticks of 10 ms. */
function cpuMs(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}

interface BulkRun {
  mibPerSecond: number
  /** CPU ms per GiB moved, for each process that took part. */
  cpuPerGib: Record<string, number>
}

/** Bulk throughput, with what it cost each process: the sender (this one) and every pid in `others`. */
async function measuredThroughput(host: string, port: number, others: Record<string, number>): Promise<BulkRun> {
  const before = Object.fromEntries(Object.entries(others).map(([name, pid]) => [name, cpuMs(pid)]))
  const senderBefore = process.cpuUsage()
  const mibPerSecond = await throughput(host, port)
  const sender = process.cpuUsage(senderBefore)
  const gib = BULK_MB / 1024
  const cpuPerGib: Record<string, number> = { sender: (sender.user + sender.system) / 1000 / gib }
  for (const [name, pid] of Object.entries(others)) cpuPerGib[name] = (cpuMs(pid) - before[name]!) / gib
  return { mibPerSecond, cpuPerGib }
}

function cpuSummary(run: BulkRun): string {
  return Object.entries(run.cpuPerGib)
    .map(([name, ms]) => `${name} ${ms.toFixed(0)}`)
    .join(', ')
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

async function throughput(host: string, port: number): Promise<number> {
  const chunk = Buffer.alloc(1 << 16, 7)
  const total = BULK_MB * 1024 * 1024
  const started = performance.now()
  await new Promise<void>((resolve, reject) => {
    const socket = net.connect({ host, port, allowHalfOpen: true })
    let sent = 0
    const pump = () => {
      while (sent < total) {
        sent += chunk.length
        if (!socket.write(chunk)) return void socket.once('drain', pump)
      }
      socket.end()
    }
    socket.once('connect', pump)
    socket.on('data', () => {})
    socket.once('end', () => resolve())
    socket.once('error', reject)
  })
  return total / 2 ** 20 / ((performance.now() - started) / 1000)
}

async function latencies(host: string, port: number): Promise<{ p50: number; p99: number }> {
  const socket = net.connect({ host, port, noDelay: true })
  await new Promise((resolve) => socket.once('connect', resolve))
  const message = Buffer.alloc(64, 1)
  const samples: number[] = []
  let pending: (() => void) | undefined
  let got = 0
  socket.on('data', (d) => {
    got += d.length
    if (got >= 64) {
      got -= 64
      pending?.()
    }
  })
  for (let i = 0; i < PINGS; i++) {
    const t0 = process.hrtime.bigint()
    await new Promise<void>((resolve) => {
      pending = resolve
      socket.write(message)
    })
    if (i >= PINGS / 10) samples.push(Number(process.hrtime.bigint() - t0) / 1000)
  }
  socket.destroy()
  samples.sort((a, b) => a - b)
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) }
}

async function connectionsPerSecond(host: string, port: number, concurrency = 16): Promise<number> {
  const deadline = performance.now() + CONNECT_SECONDS * 1000
  let done = 0
  const worker = async () => {
    while (performance.now() < deadline) {
      await new Promise<void>((resolve, reject) => {
        const socket = net.connect({ host, port })
        socket.once('connect', () => socket.write('x'))
        socket.once('data', () => socket.destroy())
        socket.once('close', () => resolve())
        socket.once('error', reject)
      })
      done++
    }
  }
  const started = performance.now()
  await Promise.all(Array.from({ length: concurrency }, worker))
  return done / ((performance.now() - started) / 1000)
}

async function idleMemory(host: string, port: number, pid: number): Promise<number> {
  const before = rssKb(pid)
  const sockets: net.Socket[] = []
  for (let i = 0; i < IDLE; i++) {
    const socket = net.connect({ host, port })
    await new Promise((resolve, reject) => {
      socket.once('connect', resolve)
      socket.once('error', reject)
    })
    sockets.push(socket)
  }
  await new Promise((resolve) => setTimeout(resolve, 500))
  const after = rssKb(pid)
  for (const s of sockets) s.destroy()
  return ((after - before) * 1024) / IDLE
}

function spawnReading(args: string[], env: NodeJS.ProcessEnv, ready: (line: string) => boolean): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] })
  return new Promise((resolve, reject) => {
    let buffered = ''
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk
      for (const line of buffered.split('\n')) if (ready(line)) resolve({ child, line })
    })
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)))
  })
}

/** Runs the rows; answers the markdown table and its notes. */
export async function dataplaneRows(dir: string): Promise<string> {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' })
  const databaseUrl = `sqlite:${path.join(dir, 'dataplane.db')}`
  const store = await openStore(databaseUrl)
  const account = await createAccount(store, systemClock, 'cn-north-4', `bench${process.pid}`)
  await store.close()
  const backend = await spawnReading(['bench/dataplane-backend.mjs'], process.env, (l) => l.startsWith('{'))
  const ports = JSON.parse(backend.line) as { sink: number; echo: number }
  const apiPort = 20000 + Math.floor(Math.random() * 20000)
  const env = { ...process.env, VPCEP_DATABASE_URL: databaseUrl, VPCEP_PORT: String(apiPort), VPCEP_LOG_FORMAT: 'json', VPCEP_DNS_PORT: 'off', VPCEP_ENDPOINT_ADDRESS_RANGE: `127.${100 + Math.floor(Math.random() * 100)}.0.0/24` }
  const vpcep = await spawnReading(['--enable-source-maps', 'dist/main.mjs'], env, (l) => l.includes('data plane forwarding'))
  try {
    const client = new VpcepClient({ endpoint: `http://127.0.0.1:${apiPort}`, projectId: account.projectId, auth: { kind: 'aksk', accessKey: account.accessKey, secretKey: account.secretKey } })
    const service = await client.services.create({ port_id: randomUUID(), vpc_id: randomUUID(), server_type: 'VM', approval_enabled: false, ports: [{ client_port: 7001, server_port: ports.sink, protocol: 'TCP' }, { client_port: 7002, server_port: ports.echo, protocol: 'TCP' }] } as never)
    for (;;) if ((await client.services.show(service.id)).status === 'available') break
    const endpoint = await client.endpoints.create({ endpoint_service_id: service.id, vpc_id: randomUUID(), subnet_id: randomUUID() } as never)
    for (;;) {
      const e = await client.endpoints.show(endpoint.id)
      if (e.forwarding?.listeners.length === 2) break
      await new Promise((r) => setTimeout(r, 50))
    }
    const ip = endpoint.ip
    log(`endpoint ${ip}: sink 7001 → ${ports.sink}, echo 7002 → ${ports.echo}`)
    const lines: string[] = ['| data plane row | through the endpoint | straight to the backend | ratio / added |', '| --- | ---: | ---: | ---: |']
    await throughput('127.0.0.1', ports.sink) // warm-up
    await throughput(ip, 7001) // warm-up of the forwarder's code paths
    const direct = await measuredThroughput('127.0.0.1', ports.sink, { backend: backend.child.pid! })
    const proxied = await measuredThroughput(ip, 7001, { vpcep: vpcep.child.pid!, backend: backend.child.pid! })
    lines.push(`| bulk TCP throughput, ${BULK_MB} MiB one connection (MiB/s) | ${proxied.mibPerSecond.toFixed(0)} | ${direct.mibPerSecond.toFixed(0)} | ${((100 * proxied.mibPerSecond) / direct.mibPerSecond).toFixed(1)} % |`)
    lines.push(`| CPU ms per GiB moved, per process (user + system) | ${cpuSummary(proxied)} | ${cpuSummary(direct)} | - |`)
    log(`throughput ${proxied.mibPerSecond.toFixed(0)} vs ${direct.mibPerSecond.toFixed(0)} MiB/s`)
    await latencies(ip, 7002)
    const lDirect = await latencies('127.0.0.1', ports.echo)
    const lProxied = await latencies(ip, 7002)
    lines.push(`| 64 B request/response latency p50 (µs) | ${lProxied.p50.toFixed(0)} | ${lDirect.p50.toFixed(0)} | +${(lProxied.p50 - lDirect.p50).toFixed(0)} µs |`)
    lines.push(`| 64 B request/response latency p99 (µs) | ${lProxied.p99.toFixed(0)} | ${lDirect.p99.toFixed(0)} | +${(lProxied.p99 - lDirect.p99).toFixed(0)} µs |`)
    log(`latency p50 ${lProxied.p50.toFixed(0)} vs ${lDirect.p50.toFixed(0)} µs`)
    const cDirect = await connectionsPerSecond('127.0.0.1', ports.echo)
    const cProxied = await connectionsPerSecond(ip, 7002)
    lines.push(`| new connections/s (connect, 1 B echo, close; 16 at once) | ${cProxied.toFixed(0)} | ${cDirect.toFixed(0)} | ${((100 * cProxied) / cDirect).toFixed(1)} % |`)
    log(`connections ${cProxied.toFixed(0)} vs ${cDirect.toFixed(0)} /s`)
    const perIdle = await idleMemory(ip, 7002, vpcep.child.pid!)
    lines.push(`| memory per idle connection through the endpoint (vpcep RSS growth / ${IDLE}) | ${(perIdle / 1024).toFixed(1)} KiB | - | - |`)
    lines.push('', `- Data plane conditions: one vpcep process (SQLite, embedded data plane), the backend in another process, the load in the benchmark process, all on loopback of this ${os.cpus().length}-core machine, which other engineers' work shares; ${PINGS} pings per latency figure (first 10 % dropped).`)
    return lines.join('\n')
  } finally {
    vpcep.child.kill('SIGTERM')
    backend.child.kill('SIGTERM')
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-bench-dp-'))
  try {
    process.stdout.write(`${await dataplaneRows(dir)}\n`)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
