import cluster, { type Worker } from 'node:cluster'
import { peerNewsOf, WORKER_INDEX_VARIABLE, type PeerMessage } from './messages.ts'

export interface PrimaryLog {
  info(details: object, message: string): void
  error(details: object, message: string): void
}

/** A worker that dies sooner than this after its start is started again only after RESTART_PAUSE_MS. */
const STEADY_MS = 5000
const RESTART_PAUSE_MS = 1000

/**
 * The primary of several server processes on one machine (VPCEP_WORKERS). It serves no request itself:
 * node:cluster shares the listening port with the workers and hands them connections in turn. It keeps
 * `count` workers running, each with a fixed index; index 0 is the lead, which alone runs the background
 * roles (reconciler, event delivery, embedded data plane), so those run once however many workers serve.
 * A worker that dies is started again under the same index, so a lead that died is replaced by a lead.
 * Workers' news of their commits and scheduled work is passed on (src/workers/messages.ts).
 * Answers once every worker listens; `stop` ends them all.
 */
export async function runWorkers(count: number, log: PrimaryLog): Promise<{ stop(): Promise<void> }> {
  const workers = new Map<number, Worker>()
  let stopping = false

  const forward = (from: number, message: unknown) => {
    const news = peerNewsOf(message)
    if (news === undefined) return
    const passed: PeerMessage = { vpcepPeer: news }
    if (news === 'outbox') {
      for (const [index, worker] of workers) if (index !== from && worker.isConnected()) worker.send(passed)
    } else if (from !== 0) {
      const lead = workers.get(0)
      if (lead?.isConnected()) lead.send(passed)
    }
  }

  const start = (index: number): Promise<void> => {
    const startedAt = Date.now()
    const worker = cluster.fork({ [WORKER_INDEX_VARIABLE]: String(index) })
    workers.set(index, worker)
    worker.on('message', (message: unknown) => forward(index, message))
    const listening = new Promise<void>((resolve, reject) => {
      worker.once('listening', () => resolve())
      worker.once('exit', (code, signal) => reject(new Error(`worker ${index} exited (code ${code}, signal ${signal}) before it listened`)))
    })
    worker.once('exit', (code, signal) => {
      if (workers.get(index) === worker) workers.delete(index)
      if (stopping) return
      log.error({ worker: index, pid: worker.process.pid, code, signal }, 'worker exited; starting another in its place')
      const pause = Date.now() - startedAt < STEADY_MS ? RESTART_PAUSE_MS : 0
      setTimeout(() => {
        if (!stopping) start(index).catch((error: unknown) => log.error({ worker: index, err: String(error) }, 'worker did not start'))
      }, pause)
    })
    return listening
  }

  const stop = async () => {
    stopping = true
    await Promise.all(
        [...workers.values()].map(
          (worker) =>
            new Promise<void>((resolve) => {
              if (worker.isDead()) return resolve()
              worker.once('exit', () => resolve())
              worker.process.kill('SIGTERM')
            }),
        ),
    )
  }
  try {
    await Promise.all(Array.from({ length: count }, (_, index) => start(index)))
  } catch (error) {
    await stop()
    throw error
  }
  return { stop }
}
