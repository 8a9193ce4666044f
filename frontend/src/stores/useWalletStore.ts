import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'

import type { Page } from '@/api/http'
import {
  depositAddressGet,
  depositAddressRotate,
  depositsList,
  transfersList,
  walletBalanceGet,
  withdrawalQuoteGet,
  withdrawalRequest,
  withdrawalsList,
  type Deposit,
  type DepositAddress,
  type WalletBalance,
  type WalletTransfer,
  type Withdrawal,
  type WithdrawalQuote,
  type WithdrawalRequest,
  type WithdrawalStatus,
} from '@/api/wallet'

import { useSessionStore } from './useSessionStore'

/** How often the page asks again while a deposit or a withdrawal is on its way. */
export const WALLET_POLL_INTERVAL_MS = 3_000

export const DEPOSITS_PAGE_SIZE = 10
export const HISTORY_PAGE_SIZE = 20
export const WITHDRAWALS_PAGE_SIZE = 10

/** Withdrawals the signer and the chain are still moving (not waiting for staff, not ended). */
const WITHDRAWAL_STATUSES_IN_FLIGHT: ReadonlySet<WithdrawalStatus> = new Set([
  'approved',
  'signed',
  'broadcast',
])

/**
 * The signed-in user's wallet: balances, deposit address, deposits, history and withdrawals.
 *
 * Lists hold the pages loaded so far (newest first); "load more" appends the next page by cursor.
 * While the wallet page is open (liveUpdatesStart) and a deposit is unconfirmed or a withdrawal is
 * on its way, the store polls every WALLET_POLL_INTERVAL_MS: deposits and withdrawals first, then
 * the balance (so a deposit seen as credited is never shown with the balance from before), and the
 * history when the balance moved. Polling stops by itself once nothing is in flight.
 *
 * Actions reject with the ApiError of a failed call; the wallet page shows it. Everything is
 * forgotten when the signed-in user changes or signs out.
 */
export const useWalletStore = defineStore('wallet', () => {
  const session = useSessionStore()

  const balance = ref<WalletBalance | null>(null)
  const depositAddress = ref<DepositAddress | null>(null)
  const deposits = ref<Deposit[]>([])
  const depositsHasMore = ref(false)
  const history = ref<WalletTransfer[]>([])
  const historyHasMore = ref(false)
  /** The reason the history is filtered by, or null for every transfer. */
  const historyReason = ref<string | null>(null)
  const withdrawals = ref<Withdrawal[]>([])
  const withdrawalsHasMore = ref(false)
  /** The last poll failed (offline, say); polling carries on and clears this when it works. */
  const isLiveUpdateFailing = ref(false)

  const hasUnconfirmedDeposits = computed(() =>
    deposits.value.some((deposit) => deposit.status !== 'credited'),
  )
  const hasWithdrawalsInFlight = computed(() =>
    withdrawals.value.some((withdrawal) => WITHDRAWAL_STATUSES_IN_FLIGHT.has(withdrawal.status)),
  )

  // Not state: which page is open, the poll timer, and which history request is the latest.
  const isLiveUpdateWanted = ref(false)
  let pollTimer: ReturnType<typeof setTimeout> | null = null
  let isPollRunning = false
  let historyGeneration = 0

  /** Whether the store is polling now (the page is open and something is in flight). */
  const isLiveUpdating = computed(
    () => isLiveUpdateWanted.value && (hasUnconfirmedDeposits.value || hasWithdrawalsInFlight.value),
  )

  /** Loads everything the wallet page shows (first pages of the lists). */
  async function walletLoad(): Promise<void> {
    await Promise.all([
      balanceLoad(),
      depositAddressLoad(),
      depositsLoad(),
      historyLoad(historyReason.value),
      withdrawalsLoad(),
    ])
  }

  async function balanceLoad(): Promise<void> {
    balance.value = await walletBalanceGet()
  }

  async function depositAddressLoad(): Promise<void> {
    depositAddress.value = await depositAddressGet()
  }

  /** A fresh deposit address; payments to the earlier ones still arrive. */
  async function depositAddressRenew(idempotencyKey: string): Promise<void> {
    depositAddress.value = await depositAddressRotate(idempotencyKey)
  }

  async function depositsLoad(): Promise<void> {
    const page = await depositsList({ limit: DEPOSITS_PAGE_SIZE })
    deposits.value = page.data
    depositsHasMore.value = page.has_more
  }

  async function depositsLoadMore(): Promise<void> {
    const page = await depositsList({ limit: DEPOSITS_PAGE_SIZE, starting_after: deposits.value.at(-1)?.id })
    deposits.value = appendPage(deposits.value, page.data)
    depositsHasMore.value = page.has_more
  }

  /** "Check for deposits": asks now, whether or not anything is in flight. */
  async function depositsCheck(): Promise<void> {
    await depositsRefresh()
    await balanceLoad()
  }

  /**
   * The first page of the history, of one reason (null: all). Changing the filter while a page is
   * loading drops the answer to the older request.
   */
  async function historyLoad(reason: string | null = historyReason.value): Promise<void> {
    historyReason.value = reason
    const generation = ++historyGeneration
    const page = await transfersList({ limit: HISTORY_PAGE_SIZE, reason: reason ?? undefined })
    if (generation !== historyGeneration) {
      return
    }
    history.value = page.data
    historyHasMore.value = page.has_more
  }

  async function historyLoadMore(): Promise<void> {
    const generation = historyGeneration
    const page = await transfersList({
      limit: HISTORY_PAGE_SIZE,
      reason: historyReason.value ?? undefined,
      starting_after: history.value.at(-1)?.id,
    })
    if (generation !== historyGeneration) {
      return
    }
    history.value = appendPage(history.value, page.data)
    historyHasMore.value = page.has_more
  }

  async function withdrawalsLoad(): Promise<void> {
    const page = await withdrawalsList({ limit: WITHDRAWALS_PAGE_SIZE })
    withdrawals.value = page.data
    withdrawalsHasMore.value = page.has_more
  }

  async function withdrawalsLoadMore(): Promise<void> {
    const page = await withdrawalsList({
      limit: WITHDRAWALS_PAGE_SIZE,
      starting_after: withdrawals.value.at(-1)?.id,
    })
    withdrawals.value = appendPage(withdrawals.value, page.data)
    withdrawalsHasMore.value = page.has_more
  }

  function withdrawalQuote(amountKoinu: bigint): Promise<WithdrawalQuote> {
    return withdrawalQuoteGet(amountKoinu)
  }

  /**
   * Requests a withdrawal with the attempt's Idempotency-Key (the same key on every retry of the
   * attempt, so it is never sent twice). The access token must carry a fresh second factor:
   * call useSessionStore().sessionStepUp(code) first. On success the withdrawal heads the list
   * and the balance and history are read again (amount + fee are now held).
   */
  async function withdrawalCreate(request: WithdrawalRequest, idempotencyKey: string): Promise<Withdrawal> {
    const withdrawal = await withdrawalRequest(request, idempotencyKey)
    withdrawals.value = [withdrawal, ...withdrawals.value.filter((known) => known.id !== withdrawal.id)]
    await Promise.allSettled([balanceLoad(), historyRefresh()])
    return withdrawal
  }

  /** The wallet page is open: poll while something is in flight. */
  function liveUpdatesStart(): void {
    isLiveUpdateWanted.value = true
  }

  /** The wallet page is closed: stop polling. */
  function liveUpdatesStop(): void {
    isLiveUpdateWanted.value = false
  }

  /** Forgets the wallet (another user signed in, or nobody). */
  function walletClear(): void {
    balance.value = null
    depositAddress.value = null
    deposits.value = []
    depositsHasMore.value = false
    history.value = []
    historyHasMore.value = false
    historyReason.value = null
    withdrawals.value = []
    withdrawalsHasMore.value = false
    isLiveUpdateFailing.value = false
    historyGeneration += 1
  }

  async function depositsRefresh(): Promise<void> {
    const page = await depositsList({ limit: DEPOSITS_PAGE_SIZE })
    deposits.value = firstPageMerge(deposits.value, page)
    if (deposits.value.length === page.data.length) {
      depositsHasMore.value = page.has_more
    }
  }

  async function withdrawalsRefresh(): Promise<void> {
    const page = await withdrawalsList({ limit: WITHDRAWALS_PAGE_SIZE })
    withdrawals.value = firstPageMerge(withdrawals.value, page)
    if (withdrawals.value.length === page.data.length) {
      withdrawalsHasMore.value = page.has_more
    }
  }

  async function historyRefresh(): Promise<void> {
    const generation = historyGeneration
    const page = await transfersList({
      limit: HISTORY_PAGE_SIZE,
      reason: historyReason.value ?? undefined,
    })
    if (generation !== historyGeneration) {
      return
    }
    history.value = firstPageMerge(history.value, page)
    if (history.value.length === page.data.length) {
      historyHasMore.value = page.has_more
    }
  }

  async function liveUpdate(): Promise<void> {
    const balanceBefore = balance.value
    try {
      // Lists first, then the balance: a deposit that shows as credited has its credit in it.
      await Promise.all([depositsRefresh(), withdrawalsRefresh()])
      await balanceLoad()
      isLiveUpdateFailing.value = false
    } catch {
      isLiveUpdateFailing.value = true
      return
    }
    const after = balance.value
    if (
      balanceBefore === null ||
      after === null ||
      after.available_koinu !== balanceBefore.available_koinu ||
      after.held_koinu !== balanceBefore.held_koinu
    ) {
      await historyRefresh().catch(() => undefined)
    }
  }

  /** One timer at most, and none while a poll runs: the next is set when it ends. */
  function pollSchedule(): void {
    if (pollTimer !== null || isPollRunning || !isLiveUpdating.value) {
      return
    }
    pollTimer = setTimeout(() => {
      pollTimer = null
      isPollRunning = true
      void liveUpdate().finally(() => {
        isPollRunning = false
        pollSchedule()
      })
    }, WALLET_POLL_INTERVAL_MS)
  }

  function pollCancel(): void {
    if (pollTimer !== null) {
      clearTimeout(pollTimer)
      pollTimer = null
    }
  }

  watch(isLiveUpdating, (isOn) => {
    if (isOn) {
      pollSchedule()
    } else {
      pollCancel()
    }
  })

  watch(
    () => session.user?.id ?? null,
    (userId, previousUserId) => {
      if (userId !== previousUserId) {
        walletClear()
      }
    },
  )

  // Pinia needs every state ref returned (no private state); change it only through the actions.
  return {
    balance,
    depositAddress,
    deposits,
    depositsHasMore,
    history,
    historyHasMore,
    historyReason,
    withdrawals,
    withdrawalsHasMore,
    isLiveUpdateFailing,
    isLiveUpdateWanted,
    hasUnconfirmedDeposits,
    hasWithdrawalsInFlight,
    isLiveUpdating,
    walletLoad,
    balanceLoad,
    depositAddressLoad,
    depositAddressRenew,
    depositsLoad,
    depositsLoadMore,
    depositsCheck,
    historyLoad,
    historyLoadMore,
    withdrawalsLoad,
    withdrawalsLoadMore,
    withdrawalQuote,
    withdrawalCreate,
    liveUpdatesStart,
    liveUpdatesStop,
    walletClear,
  }
})

/** The next page after the loaded ones (an item already shown is not shown twice). */
function appendPage<Item extends { id: string }>(loaded: Item[], next: Item[]): Item[] {
  const loadedIds = new Set(loaded.map((item) => item.id))
  return [...loaded, ...next.filter((item) => !loadedIds.has(item.id))]
}

/**
 * A fresh first page in front of the pages loaded after it: newer items appear on top, items of
 * the first page are updated in place, and the items of later pages stay where they were.
 */
function firstPageMerge<Item extends { id: string }>(loaded: Item[], firstPage: Page<Item>): Item[] {
  const freshIds = new Set(firstPage.data.map((item) => item.id))
  const lastFresh = firstPage.data.at(-1)
  const lastFreshIndex = lastFresh === undefined ? -1 : loaded.findIndex((item) => item.id === lastFresh.id)
  if (!firstPage.has_more || lastFreshIndex === -1) {
    // Everything there is fits in this page, or the loaded pages no longer line up with it.
    return [...firstPage.data]
  }
  return [...firstPage.data, ...loaded.slice(lastFreshIndex + 1).filter((item) => !freshIds.has(item.id))]
}
