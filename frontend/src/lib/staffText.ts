/**
 * Words for the staff area: audit-log actions, why a withdrawal waits for review, and the
 * findings of a reconciliation report. wallet-service sends codes and a free-form report; staff
 * read these sentences.
 */
import type { Reconciliation, StaffAction, StaffWithdrawal } from '@/api/walletStaff'
import { t } from '@/i18n'

import { formatDoge } from './money'
import { reasonLabel, shortenMiddle } from './walletText'

/** "Approved a withdrawal"; an unknown action reads as its words. */
export function auditActionLabel(action: string): string {
  switch (action) {
    case 'withdrawal_approve':
      return t('staffText.approvedAWithdrawal')
    case 'withdrawal_reject':
      return t('staffText.rejectedAWithdrawal')
    case 'account_unfreeze':
      return t('staffText.unfrozeAWallet')
    default:
      return reasonLabel(action)
  }
}

/** What the action was done to: "Withdrawal 0b7f4a52…", "Wallet of member 6f1c2b7e…". */
export function auditTargetText(action: Pick<StaffAction, 'target_type' | 'target_id'>): string {
  const id = shortenMiddle(action.target_id)
  switch (action.target_type) {
    case 'withdrawal':
      return t('staffText.withdrawalTarget', { id })
    case 'account':
      return t('staffText.walletOfMember', { id })
    default:
      return `${reasonLabel(action.target_type)} ${id}`
  }
}

/** Why a withdrawal is in the queue, in plain words. */
export function reviewReasonText(withdrawal: Pick<StaffWithdrawal, 'status' | 'review_note'>): string {
  if (withdrawal.status === 'on_hold') {
    const frozen = /^wallet frozen when the signer came to pay: (.*)$/s.exec(withdrawal.review_note)?.[1]?.trim()
    if (frozen !== undefined) {
      return t('staffText.heldWalletFrozen', { reason: frozen === '' ? t('staffText.noReasonGiven') : frozen })
    }
    return withdrawal.review_note === '' ? t('staffText.heldForReview') : withdrawal.review_note
  }
  return t('staffText.aboveTheApprovalThreshold')
}

export type FindingTone = 'danger' | 'warning' | 'neutral'

export interface ReconciliationFinding {
  tone: FindingTone
  text: string
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
}

function list(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.map(record) : []
}

/** A koinu figure of the report (a JSON integer, or a digit string), as DOGE. */
function doge(value: unknown): string {
  let koinu = 0n
  if (typeof value === 'number' && Number.isInteger(value)) {
    koinu = BigInt(value)
  } else if (typeof value === 'string' && /^-?\d+$/.test(value)) {
    koinu = BigInt(value)
  }
  return formatDoge(koinu, { withSymbol: true })
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : ''
}

function count(value: unknown): number {
  return typeof value === 'number' ? value : 0
}

/** Why an output the ledger counts is not on chain as expected, in plain words. */
function missingReason(reason: string): string {
  if (reason.startsWith('spent by')) {
    return t('staffText.spentByATransaction')
  }
  if (reason.startsWith('the node says')) {
    return t('staffText.theChainShowsA')
  }
  return t('staffText.notFoundUnspent')
}

/**
 * Every finding of a reconciliation, most serious first: outputs missing on chain, payments no
 * longer in the best chain, possible double withdrawals, then transactions on their way.
 */
export function reconciliationFindings(run: Reconciliation): ReconciliationFinding[] {
  const report = record(run.report)
  if (typeof report.error === 'string') {
    return [{ tone: 'danger', text: t('staffText.theCheckCouldNot') }]
  }
  const findings: ReconciliationFinding[] = []
  for (const output of list(report.missing_outputs)) {
    findings.push({
      tone: 'danger',
      text: t('staffText.missingOutput', {
        amount: doge(output.amount_koinu),
        txid: shortenMiddle(text(output.txid)),
        vout: count(output.vout),
        why: missingReason(text(output.reason)),
      }),
    })
  }
  for (const settlement of list(report.settled_not_in_best_chain)) {
    findings.push({
      tone: 'danger',
      text: t(
        'staffText.settledNotInBestChain',
        { txid: shortenMiddle(text(settlement.txid)), count: count(settlement.withdrawals) },
        count(settlement.withdrawals),
      ),
    })
  }
  for (const duplicate of list(report.suspected_duplicate_withdrawals)) {
    const ids = Array.isArray(duplicate.withdrawal_ids) ? duplicate.withdrawal_ids.length : 0
    findings.push({
      tone: 'warning',
      text: t('staffText.possibleDoubleWithdrawal', {
        user: shortenMiddle(text(duplicate.user_id)),
        amount: doge(duplicate.amount_koinu),
        address: text(duplicate.address),
        count: ids,
      }),
    })
  }
  for (const transaction of list(report.in_flight)) {
    const withdrawals = count(transaction.withdrawals)
    findings.push({
      tone: 'neutral',
      text: t(
        transaction.is_mined === true ? 'staffText.inFlightMined' : 'staffText.inFlightNotMined',
        { txid: shortenMiddle(text(transaction.txid)), count: withdrawals },
        withdrawals,
      ),
    })
  }
  return findings
}

/** The run's figures: what the ledger says we hold, what the chain shows, what is on its way. */
export function reconciliationTotals(run: Reconciliation): { label: string; value: string }[] {
  const report = record(run.report)
  if (typeof report.error === 'string') {
    return []
  }
  return [
    { label: t('staffText.ledgerCustody'), value: doge(report.ledger_custody_koinu) },
    {
      label: t('staffText.onChain', count(report.chain_output_count)),
      value: doge(report.chain_outputs_koinu),
    },
    { label: t('staffText.minedNotSettled'), value: doge(report.mined_unsettled_koinu) },
  ]
}
