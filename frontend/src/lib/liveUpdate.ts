/**
 * Writes a pushed change into the server-state cache, so the pages that show it update without
 * asking the API again. Polling uses it today; the live channel (WebSocket, a later issue) will
 * call applyLiveUpdate(queryCache, userId, event) for each message it receives.
 *
 * - A whole resource (a balance) replaces the cached one.
 * - A list item (a deposit, a withdrawal) replaces the cached item with the same id, or goes on
 *   top of the list if it is new. A list that was never loaded is left alone (the page reads it
 *   fresh when it opens).
 * Add an event kind here when a page needs one; keep the key in lib/queryKeys.ts.
 */
import type { QueryCache } from '@pinia/colada'

import type { Deposit, WalletBalance, Withdrawal } from '@/api/wallet'
import type { PagedList } from '@/queries/pagedList'

import { queryKeys } from './queryKeys'

export type LiveUpdate =
  | { kind: 'wallet.balance'; balance: WalletBalance }
  | { kind: 'wallet.deposit'; deposit: Deposit }
  | { kind: 'wallet.withdrawal'; withdrawal: Withdrawal }

export function applyLiveUpdate(queryCache: QueryCache, userId: string, update: LiveUpdate): void {
  switch (update.kind) {
    case 'wallet.balance':
      queryCache.setQueryData(queryKeys.wallet.balance(userId), update.balance)
      return
    case 'wallet.deposit':
      listItemUpsert(queryCache, queryKeys.wallet.deposits(userId), update.deposit)
      return
    case 'wallet.withdrawal':
      listItemUpsert(queryCache, queryKeys.wallet.withdrawals(userId), update.withdrawal)
      return
  }
}

/** Replaces the item with the same id in a cached PagedList, or puts it on top; no list, no change. */
export function listItemUpsert<Item extends { id: string }>(
  queryCache: QueryCache,
  key: readonly string[],
  item: Item,
): void {
  const list = queryCache.getQueryData<PagedList<Item>>([...key])
  if (list === undefined) {
    return
  }
  const index = list.items.findIndex((known) => known.id === item.id)
  const items = index === -1 ? [item, ...list.items] : list.items.map((known, at) => (at === index ? item : known))
  queryCache.setQueryData<PagedList<Item>>([...key], { ...list, items })
}
