import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { deferred, errorResponse, installFakeApi, jsonResponse, type FakeApi } from '@/__tests__/fakeApi'
import { alertTexts, fieldByLabel, fieldError, mountPage, typeInto } from '@/__tests__/mountPage'
import {
  MEMBER_ID,
  OTHER_WITHDRAWAL_ID,
  reviewedWithdrawalWire,
  STAFF_USER,
  staffActionWire,
  staffWithdrawalWire,
  WITHDRAWAL_ID,
} from '@/__tests__/staffFixtures'
import { tokensFor } from '@/__tests__/fixtures'
import { DESTINATION_ADDRESS, page } from '@/__tests__/walletFixtures'
import { useSessionStore } from '@/stores/useSessionStore'

import StaffWithdrawalQueue from '../StaffWithdrawalQueue.vue'

const QUEUE = 'GET /api/v1/wallet/staff/withdrawals'
const AUDIT_LOG = 'GET /api/v1/wallet/staff/audit-log'
const APPROVE = `POST /api/v1/wallet/withdrawals/${WITHDRAWAL_ID}/approve`
const REJECT = `POST /api/v1/wallet/withdrawals/${WITHDRAWAL_ID}/reject`
const OTHER_ADDRESS = 'n3GNqMveyvaPvUbH469vDRadqpJMPc84JA'

let api: FakeApi
let wrapper: VueWrapper
/** What the queue answers: both withdrawals until one is reviewed. */
let queue: ReturnType<typeof staffWithdrawalWire>[]

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(new Date('2025-03-01T14:00:00Z'))
  queue = [
    staffWithdrawalWire(),
    staffWithdrawalWire({
      id: OTHER_WITHDRAWAL_ID,
      address: OTHER_ADDRESS,
      amount_koinu: '300000000',
      status: 'on_hold',
      review_note: 'wallet frozen when the signer came to pay: deposit a1b2…:1 reorged out',
      created_at: '2025-02-27T14:00:00Z',
    }),
  ]
  api = installFakeApi({
    [QUEUE]: () => jsonResponse(200, page(queue)),
    [AUDIT_LOG]: () => jsonResponse(200, page([staffActionWire()])),
  })
})

afterEach(() => {
  wrapper.unmount()
  vi.useRealTimers()
})

async function mountQueue(): Promise<void> {
  const mounted = await mountPage(StaffWithdrawalQueue, {
    beforeNavigation: () => useSessionStore().sessionStart(tokensFor(STAFF_USER, 'staff-token')),
  })
  wrapper = mounted.wrapper
  await flushPromises()
}

function rows() {
  return wrapper.findAll('ul[aria-label="Withdrawals to review"] > li').map((item) => ({
    id: item.attributes('data-withdrawal-id'),
    amount: item.get('data').attributes('value'),
    details: item.findAll('dt').map((term, index) => [
      term.text(),
      item.findAll('dd')[index]?.text().replace(/\s+/g, ' ') ?? '',
    ]),
    buttons: item.findAll('button').map((button) => [button.text(), button.attributes('aria-label')]),
  }))
}

function button(name: string) {
  const found = wrapper.findAll('button').find((candidate) => candidate.text() === name)
  if (found === undefined) {
    throw new Error(`no button "${name}"`)
  }
  return found
}

function rowButton(index: number, name: string) {
  const found = wrapper.findAll('ul[aria-label="Withdrawals to review"] > li')[index]
    ?.findAll('button')
    .find((candidate) => candidate.text() === name)
  if (found === undefined) {
    throw new Error(`no button "${name}" in row ${index}`)
  }
  return found
}

function status(): string {
  return wrapper.get('p[role="status"]').text()
}

describe('StaffWithdrawalQueue', () => {
  it('lists each withdrawal with its amount, address, member, fee, why it waits and its age', async () => {
    await mountQueue()

    expect(api.requests.map((request) => `${request.method} ${request.url}`)).toEqual([
      'GET /api/v1/wallet/staff/withdrawals?limit=20',
    ])
    expect(rows()).toEqual([
      {
        id: WITHDRAWAL_ID,
        amount: '2500000000000',
        details: [
          ['To', DESTINATION_ADDRESS],
          ['Member', MEMBER_ID],
          ['Network fee', 'Ð 0.01 DOGE'],
          ['Why it waits', 'Above the amount that needs a staff approval.'],
          ['Requested', '3 hours ago (1 Mar 2025, 11:00)'],
        ],
        buttons: [
          ['Approve', 'Approve the withdrawal of Ð 25,000'],
          ['Reject', 'Reject the withdrawal of Ð 25,000'],
        ],
      },
      {
        id: OTHER_WITHDRAWAL_ID,
        amount: '300000000',
        details: [
          ['To', OTHER_ADDRESS],
          ['Member', MEMBER_ID],
          ['Network fee', 'Ð 0.01 DOGE'],
          ['Why it waits', 'Held: the wallet was frozen when it was due to be sent (deposit a1b2…:1 reorged out).'],
          ['Requested', '2 days ago (27 Feb 2025, 14:00)'],
        ],
        buttons: [
          ['Approve', 'Approve the withdrawal of Ð 3'],
          ['Reject', 'Reject the withdrawal of Ð 3'],
        ],
      },
    ])
    expect(wrapper.findAll('li > div > span.rounded-full').map((badge) => badge.text())).toEqual([
      'Awaiting approval',
      'On hold for review',
    ])
  })

  it('rejects only with a reason, then says so and reads the queue and the audit log again', async () => {
    api.on(REJECT, () => jsonResponse(200, reviewedWithdrawalWire('rejected')))
    await mountQueue()

    await rowButton(0, 'Reject').trigger('click')
    await flushPromises()
    const form = wrapper.get('form')
    expect(form.get('h3').text()).toBe('Reject this withdrawal?')
    expect(form.get('p').text().replace(/\s+/g, ' ')).toBe(
      `Ð 25,000 DOGE will not be sent to ${DESTINATION_ADDRESS}; the amount and fee go back to the member’s available balance.`,
    )
    const reason = fieldByLabel(wrapper, 'Reason (shown to the member)')
    expect(document.activeElement).toBe(reason)

    await form.trigger('submit')
    await flushPromises()
    expect(api.requestsTo(REJECT)).toEqual([])
    expect(fieldError(reason)).toBe('Say why: the reason is kept with the action.')

    await typeInto(wrapper, 'Reason (shown to the member)', '  Address on a scam report  ')
    queue = queue.slice(1)
    await wrapper.get('form').trigger('submit')
    await flushPromises()

    expect(api.requestsTo(REJECT).map((request) => request.body)).toEqual([{ reason: 'Address on a scam report' }])
    expect(status()).toBe(`Rejected: Ð 25,000 to ${DESTINATION_ADDRESS}. The member has their amount and fee back.`)
    expect(rows().map((row) => row.id)).toEqual([OTHER_WITHDRAWAL_ID])
    expect(api.requestsTo(QUEUE)).toHaveLength(2)
    expect(wrapper.find('form').exists()).toBe(false)
    expect(document.activeElement?.id).toBe('staff-withdrawals-heading')
  })

  it('approves after a confirmation, with an optional note', async () => {
    const answer = deferred<Response>()
    api.on(APPROVE, () => answer.promise)
    await mountQueue()

    await rowButton(0, 'Approve').trigger('click')
    await flushPromises()
    expect(wrapper.get('form h3').text()).toBe('Approve this withdrawal?')
    expect(api.requestsTo(APPROVE)).toEqual([])

    await button('Approve withdrawal').trigger('click')
    await flushPromises()
    expect(button('Saving…').attributes('disabled')).toBeDefined()

    queue = queue.slice(1)
    answer.resolve(jsonResponse(200, reviewedWithdrawalWire('approved')))
    await flushPromises()

    expect(api.requestsTo(APPROVE).map((request) => request.body)).toEqual([{ reason: '' }])
    expect(status()).toBe(`Approved: Ð 25,000 to ${DESTINATION_ADDRESS} is queued for sending.`)
    expect(rows().map((row) => row.id)).toEqual([OTHER_WITHDRAWAL_ID])
  })

  it('says in plain words when someone else reviewed it first, and shows the queue as it is now', async () => {
    api.on(APPROVE, () =>
      errorResponse(409, {
        code: 'withdrawal_not_awaiting_approval',
        message: 'The withdrawal is rejected, not waiting for a review.',
      }),
    )
    await mountQueue()

    await rowButton(0, 'Approve').trigger('click')
    await flushPromises()
    queue = queue.slice(1)
    await button('Approve withdrawal').trigger('click')
    await flushPromises()

    expect(alertTexts(wrapper)).toEqual([
      'This withdrawal has already been reviewed, by you or someone else: the list now shows what is still waiting.',
    ])
    expect(api.requestsTo(QUEUE)).toHaveLength(2)
    expect(rows().map((row) => row.id)).toEqual([OTHER_WITHDRAWAL_ID])
    expect(wrapper.find('form').exists()).toBe(false)
    expect(status()).toBe('')
  })

  it('keeps the form open with the error when the answer is lost, and sends the same review again', async () => {
    api.on(REJECT, () => errorResponse(503, { code: 'service_unavailable' }, { 'Retry-After': '5' }))
    await mountQueue()

    await rowButton(0, 'Reject').trigger('click')
    await flushPromises()
    await typeInto(wrapper, 'Reason (shown to the member)', 'scam report')
    await wrapper.get('form').trigger('submit')
    await flushPromises()

    expect(alertTexts(wrapper)).toEqual(['Something went wrong on our side. Please try again in a moment.'])
    expect(fieldByLabel(wrapper, 'Reason (shown to the member)').value).toBe('scam report')

    api.on(REJECT, () => jsonResponse(200, reviewedWithdrawalWire('rejected')))
    queue = queue.slice(1)
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(api.requestsTo(REJECT).map((request) => request.body)).toEqual([
      { reason: 'scam report' },
      { reason: 'scam report' },
    ])
    expect(status()).toBe(`Rejected: Ð 25,000 to ${DESTINATION_ADDRESS}. The member has their amount and fee back.`)
  })

  it('reads the queue again on request', async () => {
    queue = []
    await mountQueue()
    expect(rows()).toEqual([])

    queue = [staffWithdrawalWire()]
    await button('Check for new withdrawals').trigger('click')
    await flushPromises()

    expect(api.requestsTo(QUEUE)).toHaveLength(2)
    expect(rows().map((row) => row.id)).toEqual([WITHDRAWAL_ID])
  })

  it('puts focus back on the button when the confirmation is cancelled', async () => {
    await mountQueue()

    await rowButton(1, 'Reject').trigger('click')
    await flushPromises()
    await button('Cancel').trigger('click')
    await flushPromises()

    expect(wrapper.find('form').exists()).toBe(false)
    expect(document.activeElement?.id).toBe(`review-reject-${OTHER_WITHDRAWAL_ID}`)
  })

  it('says when nothing waits, and when the queue cannot be read', async () => {
    queue = []
    await mountQueue()
    expect(wrapper.get('section').text()).toContain('Nothing to review: no withdrawal is waiting.')
    wrapper.unmount()

    api.on(QUEUE, () => errorResponse(403, { code: 'missing_role', message: 'This action requires the role(s): staff.' }))
    await mountQueue()
    expect(alertTexts(wrapper)).toEqual([
      'The review queue didn’t load This needs a dBay staff account. If you were given the staff role just now, sign out and sign in again.Try again',
    ])
    expect(wrapper.text()).not.toContain('Nothing to review')
  })
})
