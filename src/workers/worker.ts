import cluster from 'node:cluster'
import type { Store } from '../store/database.ts'
import type { App, BackgroundRelay } from '../app.ts'
import { peerNewsOf, WORKER_INDEX_VARIABLE, type PeerMessage, type PeerNews } from './messages.ts'

/** Which worker this process is, when the primary of src/workers/primary.ts started it. */
export interface WorkerRole {
  index: number
  /** The one worker that runs the reconciler, event delivery and the embedded data plane. */
  lead: boolean
}

export function workerRole(): WorkerRole | undefined {
  if (!cluster.isWorker) return undefined
  const index = Number(process.env[WORKER_INDEX_VARIABLE])
  if (!Number.isInteger(index) || index < 0) throw new Error(`${WORKER_INDEX_VARIABLE} is not set by the primary`)
  return { index, lead: index === 0 }
}

function tell(news: PeerNews): void {
  // The channel is gone only while the primary is going away; the news then matters to no one.
  if (process.connected) process.send!({ vpcepPeer: news } satisfies PeerMessage)
}

/** For a worker that is not the lead: the background work it schedules is done by the lead. */
export function relayToLead(): BackgroundRelay {
  return {
    transitionScheduled: () => tell('transition'),
    deliveryDue: () => tell('delivery'),
    subscriptionsChanged: () => tell('subscriptions'),
  }
}

/**
 * Tells the other workers of this worker's outbox commits (at most once per turn of the event loop, as
 * commits come in bursts under load) and acts on what they tell: their commits wake the followers here,
 * and on the lead their scheduled work wakes the background role that does it.
 */
export function joinPeers(store: Store, app: App, role: WorkerRole): () => void {
  let told = false
  const unsubscribe = store.onOutboxCommit((origin) => {
    if (origin !== 'here' || told) return
    told = true
    setImmediate(() => {
      told = false
      tell('outbox')
    })
  })
  const onMessage = (message: unknown) => {
    const news = peerNewsOf(message)
    if (news === 'outbox') store.announceOutboxCommit()
    else if (!role.lead) return
    else if (news === 'transition') app.reconciler.kick()
    else if (news === 'delivery') app.events.wake()
    else if (news === 'subscriptions') app.events.subscriptionsChanged()
  }
  process.on('message', onMessage)
  return () => {
    unsubscribe()
    process.off('message', onMessage)
  }
}
