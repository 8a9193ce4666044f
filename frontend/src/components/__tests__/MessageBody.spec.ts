import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { createMemoryHistory } from 'vue-router'

import { createAppRouter } from '@/router'

import MessageBody from '../MessageBody.vue'

function render(body: string) {
  return mount(MessageBody, { props: { body }, global: { plugins: [createAppRouter(createMemoryHistory())] } })
}

describe('MessageBody', () => {
  it('shows HTML and script as the characters typed: no element is made from them', () => {
    const body = '<img src=x onerror="alert(1)"><script>alert(2)</script><a href="https://evil.test">win</a>'
    const wrapper = render(body)

    expect(wrapper.get('p').text()).toBe(body)
    expect(wrapper.find('img').exists()).toBe(false)
    expect(wrapper.find('script').exists()).toBe(false)
    expect(wrapper.find('a').exists()).toBe(false)
    expect(wrapper.get('p').element.children).toHaveLength(0)
  })

  it('makes a link of a dBay listing path only, keeping line breaks and the words around it', () => {
    const wrapper = render('Hello,\nsee /listings/lst-1 please. www.evil.test stays text')

    const links = wrapper.findAll('a')
    expect(links.map((link) => [link.text(), link.attributes('href')])).toEqual([['/listings/lst-1', '/listings/lst-1']])
    expect(wrapper.get('p').text()).toBe('Hello,\nsee /listings/lst-1 please. www.evil.test stays text')
    expect(wrapper.get('p').classes()).toContain('whitespace-pre-wrap')
  })
})
