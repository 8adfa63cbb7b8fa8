// The benchmark's PostgreSQL cluster: the tests' throwaway cluster, but with durable commits (fsync,
// synchronous_commit and full_page_writes on), as in production.
import { findPostgresBin, startCluster, type Cluster } from '../scripts/pg-cluster.mjs'

export { findPostgresBin }
export type DurableCluster = Cluster

export function startDurableCluster(): Promise<DurableCluster> {
  return startCluster({ durable: true })
}
