/**
 * What workers tell each other through the primary. `outbox`: this worker committed outbox events (every
 * other worker's followers look now rather than at their next poll). The others go to the lead worker,
 * which alone runs the background roles: a transition was scheduled (reconciler), a delivery was made due
 * or a subscription changed (event delivery).
 */
export type PeerNews = 'outbox' | 'transition' | 'delivery' | 'subscriptions'

const NEWS: readonly PeerNews[] = ['outbox', 'transition', 'delivery', 'subscriptions']

export interface PeerMessage {
  vpcepPeer: PeerNews
}

export function peerNewsOf(message: unknown): PeerNews | undefined {
  const news = (message as Partial<PeerMessage> | null)?.vpcepPeer
  return NEWS.includes(news as PeerNews) ? news : undefined
}

/** The environment variable a worker learns its index from; index 0 is the lead. */
export const WORKER_INDEX_VARIABLE = 'VPCEP_WORKER_INDEX'
