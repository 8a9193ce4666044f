import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { errorResponse, installFakeApi, jsonResponse, type FakeApi } from '@/__tests__/fakeApi'
import { alertTexts, mountPage } from '@/__tests__/mountPage'

import UnsubscribeView from '../UnsubscribeView.vue'

const GET = 'GET /api/v1/notifications/unsubscribe'
const POST = 'POST /api/v1/notifications/unsubscribe'

let api: FakeApi
let wrapper: VueWrapper | undefined

beforeEach(() => {
  api = installFakeApi({
    [GET]: () => jsonResponse(200, { type: 'message.new', label: 'New message', email_masked: 'a***@example.test' }),
    [POST]: () => jsonResponse(200, { type: 'message.new', label: 'New message', email: 'off' }),
  })
})

afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
})

async function unsubscribePage(path: string): Promise<VueWrapper> {
  const mounted = await mountPage(UnsubscribeView, { path })
  wrapper = mounted.wrapper
  await flushPromises()
  return mounted.wrapper
}

describe('UnsubscribeView', () => {
  it('signed out: says what will be turned off, then turns it off with one button', async () => {
    const view = await unsubscribePage('/unsubscribe?token=tok.en-1')

    expect(api.requestsTo(GET).map((request) => [request.url, request.headers.authorization])).toEqual([
      ['/api/v1/notifications/unsubscribe?token=tok.en-1', undefined],
    ])
    expect(view.text()).toContain('This turns off emails about “New message” to a***@example.test.')

    await view.findAll('button').find((button) => button.text() === 'Unsubscribe')?.trigger('click')
    await flushPromises()

    expect(api.requestsTo(POST).map((request) => [request.body, request.headers.authorization])).toEqual([
      [{ token: 'tok.en-1' }, undefined],
    ])
    expect(view.get('[role="status"]').text()).toBe(
      'You’re unsubscribedWe won’t email you about “New message” any more. You can turn it back on in your notification settings.',
    )
    expect(view.findAll('button')).toHaveLength(0)
  })

  it('a bad or expired link says so in plain words', async () => {
    api.on(GET, () => errorResponse(400, { code: 'invalid_token', message: 'Bad signature' }))
    const view = await unsubscribePage('/unsubscribe?token=forged')

    expect(alertTexts(view)).toEqual([
      'This link doesn’t work This unsubscribe link is incomplete, was changed, or has expired. Sign in and change your notification settings instead.',
    ])
    expect(view.findAll('button')).toHaveLength(0)
  })
})
