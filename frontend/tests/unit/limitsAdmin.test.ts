import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import type { HotlineLimits } from '@/api/limits/types'
import { ApiError } from '@/api/request'
import { i18n, setLocale } from '@/locales'

vi.mock('@/api/limits', () => ({ getLimits: vi.fn(), saveLimits: vi.fn() }))
import { getLimits, saveLimits } from '@/api/limits'
import LimitsAdminView from '@/views/admin/LimitsAdminView.vue'

const days = { consult: 2, help: 5, complaint: 5, report: 10, suggestion: 10, praise: 2 }
const version0 = { hotline: '12345', version: 0, unit: 'working_days', days, effective_from: null, by: null, at: null, note: '系统默认时限' }
const hotline = {
  hotline: '12345',
  unit: 'working_days',
  max_days: 365,
  categories: Object.keys(days),
  in_force: version0,
  latest: version0,
  history: [version0],
} as unknown as HotlineLimits

async function mountView() {
  const wrapper = mount(LimitsAdminView, { global: { plugins: [createPinia(), i18n] } })
  await flushPromises()
  return wrapper
}

describe('the time-limits admin page', () => {
  beforeEach(() => {
    setLocale('zh-CN')
    vi.mocked(getLimits).mockReset().mockResolvedValue({ items: [hotline] })
    vi.mocked(saveLimits).mockReset()
  })

  it('sends only the changed categories with the edited version, and shows the field the server refuses', async () => {
    vi.mocked(saveLimits).mockRejectedValue(
      new ApiError(422, 'validation_error', '输入有误', { fields: { 'days.praise': '办理时限须为 1–365 的整数（个工作日）' } }),
    )
    const wrapper = await mountView()
    expect(wrapper.get('[data-test="limits-12345-history"]').text()).toContain('系统默认')
    const praise = wrapper.findAllComponents({ name: 'ElInputNumber' }).find((c) => c.attributes('data-test') === 'limit-12345-praise')
    expect(praise).toBeDefined()
    praise!.vm.$emit('update:modelValue', 7)
    await flushPromises()
    await wrapper.get('[data-test="limit-12345-save"]').trigger('click')
    await flushPromises()
    expect(saveLimits).toHaveBeenCalledWith('12345', { days: { praise: 7 }, version: 0, note: undefined, effective_from: undefined })
    expect(wrapper.get('[data-test="limit-12345-error"]').text()).toContain('输入有误')
    const errors = wrapper.findAllComponents({ name: 'ElFormItem' }).map((f) => f.props('error')).filter(Boolean)
    expect(errors).toEqual(['办理时限须为 1–365 的整数（个工作日）']) // on the praise field only
    wrapper.unmount()
  })
})
