import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { errorResponse, installFakeApi, jsonResponse, type FakeApi } from '@/__tests__/fakeApi'
import { tokensFor } from '@/__tests__/fixtures'
import { alertTexts, mountPage } from '@/__tests__/mountPage'
import { STAFF_USER } from '@/__tests__/staffFixtures'
import { useSessionStore } from '@/stores/useSessionStore'

import StaffEmailDelivery from '../StaffEmailDelivery.vue'

const LIST = 'GET /api/v1/notifications/staff/emails'
const REPLAY = 'POST /api/v1/notifications/staff/emails/eml_1/replay'

function emailWire(overrides: Record<string, unknown> = {}) {
  return {
    id: 'eml_1',
    user_id: 'usr_alice',
    to: 'alice@example.test',
    type: 'deposit.credited',
    subject: 'Deposit of 2 DOGE credited',
    state: 'dead',
    attempts: 5,
    last_error: 'SMTP 550 mailbox unavailable',
    created_at: '2026-12-07T20:00:00Z',
    next_attempt_at: null,
    sent_at: null,
    ...overrides,
  }
}

let api: FakeApi
let wrapper: VueWrapper

beforeEach(() => {
  api = installFakeApi({ [LIST]: () => jsonResponse(200, { data: [emailWire()], has_more: false }) })
})

afterEach(() => {
  wrapper.unmount()
})

async function mountDelivery(): Promise<void> {
  const mounted = await mountPage(StaffEmailDelivery, {
    beforeNavigation: () => useSessionStore().sessionStart(tokensFor(STAFF_USER, 'staff-token')),
  })
  wrapper = mounted.wrapper
  await flushPromises()
}

describe('StaffEmailDelivery', () => {
  it('lists dead emails with their attempts and last error; Replay queues one again', async () => {
    await mountDelivery()

    expect(api.requestsTo(LIST).map((request) => request.url)).toEqual(['/api/v1/notifications/staff/emails?limit=20&state=dead'])
    expect(wrapper.get('[data-email-id="eml_1"]').findAll('p').map((line) => line.text())).toEqual([
      'Deposit of 2 DOGE credited',
      'To alice@example.test · deposit.credited',
      '5 attempts, first queued 7 Dec 2026, 20:00',
      'Last error: SMTP 550 mailbox unavailable',
    ])

    api.on(REPLAY, () => jsonResponse(200, emailWire({ state: 'queued' })))
    api.on(LIST, () => jsonResponse(200, { data: [], has_more: false }))
    await wrapper.get('[data-email-id="eml_1"] button').trigger('click')
    await flushPromises()

    expect(api.requestsTo(REPLAY)).toHaveLength(1)
    expect(wrapper.get('[role="status"]').text()).toBe('“Deposit of 2 DOGE credited” to alice@example.test is queued again.')
    expect(wrapper.text()).toContain('No failed emails.')
  })

  it('says why a replay was refused', async () => {
    api.on(REPLAY, () => errorResponse(409, { code: 'email_not_dead', message: 'This email is not dead any more.' }))
    await mountDelivery()

    await wrapper.get('[data-email-id="eml_1"] button').trigger('click')
    await flushPromises()

    expect(alertTexts(wrapper)).toEqual(['This email is not dead any more.'])
  })
})
