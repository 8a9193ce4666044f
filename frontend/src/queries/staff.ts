/**
 * The staff area's server state (Pinia Colada): the review queue, frozen wallets, the suspense
 * account, the latest reconciliation and the audit log, each under the staff member's own keys
 * (lib/queryKeys.ts `staff`). Queries run only while a staff member is signed in.
 *
 * Every action (approve, reject, unfreeze) is recorded in the audit log by wallet-service, so
 * each one invalidates the log along with the list it changed.
 */
import { useMutation, useQuery, useQueryCache } from '@pinia/colada'
import { computed } from 'vue'

import {
  staffAuditLogList,
  staffFrozenWalletsList,
  staffReconciliationGet,
  staffSuspenseGet,
  staffWalletUnfreeze,
  staffWithdrawalApprove,
  staffWithdrawalReject,
  staffWithdrawalsList,
  type SuspenseAccount,
  type SuspenseEntry,
} from '@/api/walletStaff'
import { ApiError } from '@/api/http'
import { queryKeys } from '@/lib/queryKeys'
import { useSessionStore } from '@/stores/useSessionStore'

import { appendPage, usePagedListQuery } from './pagedList'

export const STAFF_WITHDRAWALS_PAGE_SIZE = 20
export const FROZEN_WALLETS_PAGE_SIZE = 100
export const SUSPENSE_PAGE_SIZE = 20
export const AUDIT_LOG_PAGE_SIZE = 20

function useStaffMember() {
  const session = useSessionStore()
  return {
    userId: computed(() => session.user?.id ?? ''),
    isStaff: computed(() => session.isStaff),
  }
}

/** Withdrawals waiting for review, oldest first. */
export function useStaffWithdrawals() {
  const { userId, isStaff } = useStaffMember()
  return usePagedListQuery({
    key: () => queryKeys.staff.withdrawals(userId.value),
    fetchPage: staffWithdrawalsList,
    pageSize: STAFF_WITHDRAWALS_PAGE_SIZE,
    enabled: isStaff,
  })
}

/**
 * Approve or reject a withdrawal. Either way it leaves the queue: the queue and the audit log are
 * read again before the call resolves. A 409 (someone reviewed it first) and a 404 also refresh
 * the queue, since what it shows is out of date.
 */
export function useWithdrawalReview() {
  const { userId } = useStaffMember()
  const queryCache = useQueryCache()

  async function afterReview(): Promise<void> {
    await Promise.allSettled([
      queryCache.invalidateQueries({ key: [...queryKeys.staff.withdrawals(userId.value)] }),
      queryCache.invalidateQueries({ key: [...queryKeys.staff.auditLog(userId.value)] }),
    ])
  }

  return useMutation({
    mutation: (review: { withdrawalId: string; decision: 'approve' | 'reject'; reason: string }) =>
      review.decision === 'approve'
        ? staffWithdrawalApprove(review.withdrawalId, review.reason)
        : staffWithdrawalReject(review.withdrawalId, review.reason),
    onSuccess: afterReview,
    onError: async (error) => {
      if (error instanceof ApiError && (error.status === 404 || error.status === 409)) {
        await afterReview()
      }
    },
  })
}

/** Frozen wallets (one page of up to 100: see staffFrozenWalletsList). */
export function useFrozenWallets() {
  const { userId, isStaff } = useStaffMember()
  return useQuery({
    key: () => queryKeys.staff.frozenWallets(userId.value),
    query: () => staffFrozenWalletsList({ limit: FROZEN_WALLETS_PAGE_SIZE }),
    enabled: isStaff,
  })
}

/** Unfreezes a wallet; the list and the audit log are read again before the call resolves. */
export function useWalletUnfreeze() {
  const { userId } = useStaffMember()
  const queryCache = useQueryCache()
  return useMutation({
    mutation: (unfreeze: { userId: string; reason: string }) => staffWalletUnfreeze(unfreeze.userId, unfreeze.reason),
    onSuccess: async () => {
      await Promise.allSettled([
        queryCache.invalidateQueries({ key: [...queryKeys.staff.frozenWallets(userId.value)] }),
        queryCache.invalidateQueries({ key: [...queryKeys.staff.auditLog(userId.value)] }),
      ])
    },
  })
}

/**
 * The suspense account: its balance (from the latest read) and its entries, newest first, a page
 * at a time. A refetch reads the first page again and keeps the balance current.
 */
export function useSuspenseAccount() {
  const { userId, isStaff } = useStaffMember()
  const queryCache = useQueryCache()
  const key = () => queryKeys.staff.suspense(userId.value)
  const query = useQuery<SuspenseAccount>({
    key,
    query: () => staffSuspenseGet({ limit: SUSPENSE_PAGE_SIZE }),
    enabled: isStaff,
  })

  async function loadMore(): Promise<void> {
    const loaded = queryCache.getQueryData<SuspenseAccount>(key())
    if (loaded === undefined) {
      return
    }
    const next = await staffSuspenseGet({ limit: SUSPENSE_PAGE_SIZE, starting_after: loaded.entries.at(-1)?.id })
    const merged = appendPage<SuspenseEntry>(
      { items: loaded.entries, hasMore: loaded.has_more },
      { data: next.entries, has_more: next.has_more },
    )
    queryCache.setQueryData<SuspenseAccount>(key(), { ...next, entries: merged.items, has_more: merged.hasMore })
  }

  return { ...query, loadMore }
}

/** The latest reconciliation; `data` null when none has run yet (404 `reconciliation_not_found`). */
export function useReconciliation() {
  const { userId, isStaff } = useStaffMember()
  return useQuery({
    key: () => queryKeys.staff.reconciliation(userId.value),
    query: async () => {
      try {
        return await staffReconciliationGet()
      } catch (error) {
        if (error instanceof ApiError && error.code === 'reconciliation_not_found') {
          return null
        }
        throw error
      }
    },
    enabled: isStaff,
  })
}

/** Every staff action, newest first, a page at a time. */
export function useStaffAuditLog() {
  const { userId, isStaff } = useStaffMember()
  return usePagedListQuery({
    key: () => queryKeys.staff.auditLog(userId.value),
    fetchPage: staffAuditLogList,
    pageSize: AUDIT_LOG_PAGE_SIZE,
    enabled: isStaff,
  })
}
