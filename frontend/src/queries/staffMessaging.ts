/**
 * The staff area's messaging and email sections: reported messages (messaging-service) and email
 * delivery's dead letters (notification-service), under the staff member's own keys.
 */
import { useMutation, useQuery, useQueryCache } from '@pinia/colada'
import { computed, toValue, type MaybeRefOrGetter } from 'vue'

import { staffReportGet, staffReportResolve, staffReportsList, type ReportOutcome } from '@/api/messaging'
import { staffEmailReplay, staffEmailsList } from '@/api/notifications'
import { queryKeys } from '@/lib/queryKeys'
import { useSessionStore } from '@/stores/useSessionStore'

import { usePagedListQuery } from './pagedList'

export const STAFF_REPORTS_PAGE_SIZE = 20
export const STAFF_EMAILS_PAGE_SIZE = 20

function useStaffMember() {
  const session = useSessionStore()
  return {
    userId: computed(() => session.user?.id ?? ''),
    isStaff: computed(() => session.isStaff),
  }
}

/** Open reports of messages, a page at a time. */
export function useStaffReports() {
  const { userId, isStaff } = useStaffMember()
  return usePagedListQuery({
    key: () => queryKeys.messaging.staffReports(userId.value),
    fetchPage: (params) => staffReportsList({ ...params, status: 'open' }),
    pageSize: STAFF_REPORTS_PAGE_SIZE,
    enabled: isStaff,
  })
}

/** One report with its conversation's messages (read only when asked for: reportId not ''). */
export function useStaffReport(reportId: MaybeRefOrGetter<string>) {
  const { userId, isStaff } = useStaffMember()
  return useQuery({
    key: () => queryKeys.messaging.staffReport(userId.value, toValue(reportId)),
    query: () => staffReportGet(toValue(reportId)),
    enabled: () => isStaff.value && toValue(reportId) !== '',
  })
}

/** Resolves a report; it leaves the open list, which is read again before the call resolves. */
export function useStaffReportResolve() {
  const { userId } = useStaffMember()
  const queryCache = useQueryCache()
  return useMutation({
    mutation: (resolution: { reportId: string; outcome: ReportOutcome; note: string }) =>
      staffReportResolve(resolution.reportId, resolution.outcome, resolution.note),
    onSettled: () => queryCache.invalidateQueries({ key: [...queryKeys.messaging.staffReports(userId.value)] }),
  })
}

/** Emails that failed for good (dead letters), a page at a time. */
export function useStaffDeadEmails() {
  const { userId, isStaff } = useStaffMember()
  return usePagedListQuery({
    key: () => queryKeys.notifications.staffEmails(userId.value),
    fetchPage: (params) => staffEmailsList({ ...params, state: 'dead' }),
    pageSize: STAFF_EMAILS_PAGE_SIZE,
    enabled: isStaff,
  })
}

/** Queues a dead email again; the list is read again before the call resolves. */
export function useStaffEmailReplay() {
  const { userId } = useStaffMember()
  const queryCache = useQueryCache()
  return useMutation({
    mutation: (emailId: string) => staffEmailReplay(emailId),
    onSettled: () => queryCache.invalidateQueries({ key: [...queryKeys.notifications.staffEmails(userId.value)] }),
  })
}
