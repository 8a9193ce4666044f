import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import BaseCopyButton from '../BaseCopyButton.vue'

function clipboardStub(writeText: (text: string) => Promise<void>): void {
  Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText } })
}

afterEach(() => {
  Reflect.deleteProperty(navigator, 'clipboard')
  vi.useRealTimers()
})

describe('BaseCopyButton', () => {
  it('copies the value, says so, and reads as a button again after two seconds', async () => {
    vi.useFakeTimers()
    const written: string[] = []
    clipboardStub((text) => {
      written.push(text)
      return Promise.resolve()
    })
    const wrapper = mount(BaseCopyButton, { props: { value: 'nAddress', label: 'Copy address' } })

    await wrapper.get('button').trigger('click')
    await flushPromises()

    expect(written).toEqual(['nAddress'])
    expect(wrapper.get('button').text()).toBe('Copied')
    expect(wrapper.get('[role="status"]').text()).toBe('Copied to the clipboard.')

    await vi.advanceTimersByTimeAsync(2_000)
    expect(wrapper.get('button').text()).toBe('Copy address')
    expect(wrapper.get('[role="status"]').text()).toBe('')
  })

  it('reads as a button again at once when the value changes', async () => {
    clipboardStub(() => Promise.resolve())
    const wrapper = mount(BaseCopyButton, { props: { value: 'nAddress', label: 'Copy address' } })
    await wrapper.get('button').trigger('click')
    await flushPromises()
    expect(wrapper.get('button').text()).toBe('Copied')

    await wrapper.setProps({ value: 'nOtherAddress' })

    expect(wrapper.get('button').text()).toBe('Copy address')
    expect(wrapper.get('[role="status"]').text()).toBe('')
  })

  it('tells people to copy by hand when the browser refuses', async () => {
    clipboardStub(() => Promise.reject(new DOMException('Not allowed', 'NotAllowedError')))
    const wrapper = mount(BaseCopyButton, { props: { value: 'nAddress' } })

    await wrapper.get('button').trigger('click')
    await flushPromises()

    expect(wrapper.get('button').text()).toBe('Copy')
    expect(wrapper.get('[role="status"]').text()).toBe('Couldn’t copy here: select the text and copy it yourself.')
  })
})
