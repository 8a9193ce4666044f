/**
 * The signed-in user's wallet as server state (Pinia Colada): each piece is a query any component
 * may call; calls with the same key share one cache entry and one request. Keys: lib/queryKeys.ts.
 *
 * Live updates: the live channel's `wallet.updated` reads these entries again (lib/liveUpdate.ts);
 * useWalletLiveUpdates polls only while that channel is down (deposits and withdrawals, then the
 * balance, so a deposit shown as credited is never next to the balance from before its credit,
 * and the history when the balance moved).
 */
import { useMutation, useQuery, useQueryCache } from '@pinia/colada'
import { useDocumentVisibility, useTimeoutFn } from '@vueuse/core'
import { computed, ref, toValue, watch, type MaybeRefOrGetter } from 'vue'

import {
  depositAddressGet,
  depositAddressRotate,
  depositsList,
  transfersList,
  walletBalanceGet,
  withdrawalRequest,
  withdrawalsList,
  type Withdrawal,
  type WithdrawalRequest,
  type WithdrawalStatus,
} from '@/api/wallet'
import { listItemUpsert } from '@/lib/liveUpdate'
import { liveStatus } from '@/live'
import { queryKeys } from '@/lib/queryKeys'
import { useSessionStore } from '@/stores/useSessionStore'

import { usePagedListQuery } from './pagedList'

/** While the live channel is down: how often the page asks again while something is on its way. */
export const WALLET_POLL_INTERVAL_MS = 3_000
/** While the live channel is down and nothing is on its way: the slow fallback poll. */
export const WALLET_FALLBACK_POLL_MS = 20_000

export const DEPOSITS_PAGE_SIZE = 10
export const HISTORY_PAGE_SIZE = 20
export const WITHDRAWALS_PAGE_SIZE = 10

/** Withdrawals the signer and the chain are still moving (not waiting for staff, not ended). */
const WITHDRAWAL_STATUSES_IN_FLIGHT: ReadonlySet<WithdrawalStatus> = new Set(['approved', 'signed', 'broadcast'])

/** Whose wallet: the signed-in user's id ('' while signed out, when nothing is fetched). */
function useWalletOwner() {
  const session = useSessionStore()
  return {
    userId: computed(() => session.user?.id ?? ''),
    isSignedIn: computed(() => session.isSignedIn),
  }
}

export function useWalletBalance() {
  const { userId, isSignedIn } = useWalletOwner()
  return useQuery({
    key: () => queryKeys.wallet.balance(userId.value),
    query: walletBalanceGet,
    enabled: isSignedIn,
  })
}

/** The current deposit address; the first read creates it. */
export function useDepositAddress() {
  const { userId, isSignedIn } = useWalletOwner()
  return useQuery({
    key: () => queryKeys.wallet.depositAddress(userId.value),
    query: depositAddressGet,
    enabled: isSignedIn,
  })
}

/** A fresh deposit address (one Idempotency-Key per intent); the earlier ones keep crediting. */
export function useDepositAddressRenew() {
  const { userId } = useWalletOwner()
  const queryCache = useQueryCache()
  return useMutation({
    mutation: (idempotencyKey: string) => depositAddressRotate(idempotencyKey),
    onSuccess: (address) => queryCache.setQueryData(queryKeys.wallet.depositAddress(userId.value), address),
  })
}

/** Deposits, newest first: incoming (pending, confirming) and credited. */
export function useDeposits() {
  const { userId, isSignedIn } = useWalletOwner()
  const deposits = usePagedListQuery({
    key: () => queryKeys.wallet.deposits(userId.value),
    fetchPage: depositsList,
    pageSize: DEPOSITS_PAGE_SIZE,
    enabled: isSignedIn,
  })
  const hasUnconfirmed = computed(() => deposits.items.value.some((deposit) => deposit.status !== 'credited'))
  return { ...deposits, hasUnconfirmed }
}

export function useWithdrawals() {
  const { userId, isSignedIn } = useWalletOwner()
  const withdrawals = usePagedListQuery({
    key: () => queryKeys.wallet.withdrawals(userId.value),
    fetchPage: withdrawalsList,
    pageSize: WITHDRAWALS_PAGE_SIZE,
    enabled: isSignedIn,
  })
  const hasInFlight = computed(() =>
    withdrawals.items.value.some((withdrawal) => WITHDRAWAL_STATUSES_IN_FLIGHT.has(withdrawal.status)),
  )
  return { ...withdrawals, hasInFlight }
}

/**
 * The history, of one reason (null: all); each filter is its own cache entry. One row per
 * movement (`activity=true`): a withdrawal is its hold, in the hold's state, with its signed effect.
 */
export function useWalletHistory(reason: MaybeRefOrGetter<string | null>) {
  const { userId, isSignedIn } = useWalletOwner()
  return usePagedListQuery({
    key: () => queryKeys.wallet.transfers(userId.value, toValue(reason)),
    fetchPage: (params) => transfersList({ ...params, reason: toValue(reason) ?? undefined, activity: true }),
    pageSize: HISTORY_PAGE_SIZE,
    enabled: isSignedIn,
  })
}

/**
 * Requests a withdrawal with the attempt's Idempotency-Key (the same key on every retry of the
 * attempt, so it is never sent twice). The access token must carry a fresh second factor:
 * call useSessionStore().sessionStepUp(code) first. On success the withdrawal heads the list and
 * the balance and history are read again (amount + fee are now held) before the call resolves.
 */
export function useWithdrawalCreate() {
  const { userId } = useWalletOwner()
  const queryCache = useQueryCache()
  return useMutation({
    mutation: (attempt: { request: WithdrawalRequest; idempotencyKey: string }): Promise<Withdrawal> =>
      withdrawalRequest(attempt.request, attempt.idempotencyKey),
    onSuccess: async (withdrawal) => {
      listItemUpsert(queryCache, queryKeys.wallet.withdrawals(userId.value), withdrawal)
      await Promise.allSettled([
        queryCache.invalidateQueries({ key: [...queryKeys.wallet.balance(userId.value)] }),
        queryCache.invalidateQueries({ key: [...queryKeys.wallet.transfersAll(userId.value)] }),
      ])
    },
  })
}

/** "Check for deposits": reads the deposits, then the balance, now. Rejects if either fails. */
export function useDepositsCheck() {
  const deposits = useDeposits()
  const balance = useWalletBalance()
  return async function depositsCheck(): Promise<void> {
    await deposits.refetch(true)
    await balance.refetch(true)
  }
}

/**
 * Keeps the wallet page current. The live channel (src/live/) is the main path: a
 * `wallet.updated` event reads the deposits, withdrawals, balance and history again at once
 * (lib/liveUpdate.ts). Only while the channel is down does this poll, while the tab is visible:
 * every WALLET_POLL_INTERVAL_MS while a deposit or withdrawal is on its way, else every
 * WALLET_FALLBACK_POLL_MS (a deposit sent meanwhile still shows). Deposits and the balance are
 * read again when the tab becomes visible again.
 */
export function useWalletLiveUpdates() {
  const { userId } = useWalletOwner()
  const queryCache = useQueryCache()
  const deposits = useDeposits()
  const withdrawals = useWithdrawals()
  const balance = useWalletBalance()
  const visibility = useDocumentVisibility()

  /** The live channel is up: changes arrive by themselves, no polling. */
  const isLive = computed(() => liveStatus.value === 'open')
  /** The last poll failed (offline, say); polling carries on and clears this when it works. */
  const isFailing = ref(false)
  const isInFlight = computed(() => deposits.hasUnconfirmed.value || withdrawals.hasInFlight.value)
  /** Polling (the fallback): the channel is down and the tab visible. */
  const isActive = computed(() => visibility.value === 'visible' && !isLive.value)
  const intervalMs = computed(() => (isInFlight.value ? WALLET_POLL_INTERVAL_MS : WALLET_FALLBACK_POLL_MS))
  let isPollRunning = false

  async function liveUpdate(): Promise<void> {
    const before = balance.data.value
    try {
      // Lists first, then the balance: a deposit that shows as credited has its credit in it.
      await Promise.all([deposits.refetch(true), withdrawals.refetch(true)])
      await balance.refetch(true)
      isFailing.value = false
    } catch {
      isFailing.value = true
      return
    }
    const after = balance.data.value
    if (
      before === undefined ||
      after === undefined ||
      after.available_koinu !== before.available_koinu ||
      after.held_koinu !== before.held_koinu
    ) {
      await queryCache.invalidateQueries({ key: [...queryKeys.wallet.transfersAll(userId.value)] })
    }
  }

  // One timer at most, and none while a poll runs: the next is set when it ends.
  const timer = useTimeoutFn(
    () => {
      isPollRunning = true
      void liveUpdate().finally(() => {
        isPollRunning = false
        schedule()
      })
    },
    intervalMs,
    { immediate: false },
  )

  function schedule(): void {
    if (isActive.value && !isPollRunning && !timer.isPending.value) {
      timer.start()
    }
  }

  watch(isActive, (active) => (active ? schedule() : timer.stop()), { immediate: true })
  // Something started moving while polling slowly: poll at the fast pace from now.
  watch(isInFlight, (inFlight) => {
    if (inFlight && timer.isPending.value) {
      timer.stop()
      schedule()
    }
  })
  watch(isLive, (live) => {
    if (live) {
      isFailing.value = false
    }
  })

  // Back on the tab after a while (a deposit sent from a phone): read deposits and balance now.
  watch(visibility, (state, previous) => {
    if (state === 'visible' && previous === 'hidden') {
      void deposits
        .refetch(true)
        .then(() => balance.refetch(true))
        .catch(() => undefined)
    }
  })

  return { isActive, isLive, isFailing }
}
