import { describe, expect, it } from 'vitest'
import { cleanPhone, contactPhoneProblem, isLongNumber, splitFieldErrors } from '@/views/admin/contactPhone'

describe('unit contact phones (R-12345-07)', () => {
  it('accepts a full 11-digit mobile', () => {
    expect(contactPhoneProblem('13957600001')).toBeNull()
    expect(contactPhoneProblem('+86 139 5760 0001')).toBeNull()
  })

  it('accepts a landline with its area code, with or without the dash', () => {
    expect(contactPhoneProblem('0576-83310003')).toBeNull()
    expect(contactPhoneProblem('057683310003')).toBeNull()
    expect(contactPhoneProblem('010-12345678')).toBeNull()
    expect(contactPhoneProblem('(0576)83310003')).toBeNull()
  })

  it('refuses short internal numbers', () => {
    expect(contactPhoneProblem('6123')).toBe('short')
    expect(contactPhoneProblem('663001')).toBe('short')
    expect(contactPhoneProblem('83310003')).toBe('short')
  })

  it('refuses incomplete mobiles and other text', () => {
    expect(contactPhoneProblem('1395760000')).toBe('invalid')
    expect(contactPhoneProblem('23957600001')).toBe('invalid')
    expect(contactPhoneProblem('0576-8331')).toBe('invalid')
    expect(contactPhoneProblem('abc')).toBe('invalid')
    expect(contactPhoneProblem('0576-83310003-801')).toBe('invalid')
  })

  it('requires a number and caps its length', () => {
    expect(contactPhoneProblem('')).toBe('required')
    expect(contactPhoneProblem('   ')).toBe('required')
    expect(contactPhoneProblem('1'.repeat(31))).toBe('tooLong')
  })

  it('cleans like the server', () => {
    expect(cleanPhone('0086 13957600001')).toBe('13957600001')
    expect(isLongNumber('0576 83310003')).toBe(true)
  })

  it('maps server field errors to contact rows', () => {
    const { form, rows } = splitFieldErrors({ 'contacts[1].phone': '短号', name: '必填', contacts: '至少一名', 'contacts[0]': 'x' })
    expect(form).toEqual({ name: '必填', contacts: '至少一名' })
    expect(rows[1]).toEqual({ phone: '短号' })
    expect(rows[0]).toEqual({ row: 'x' })
  })

  it('maps the work settings errors to each department\'s form items, an item of a list to the list', () => {
    const fields = {
      'departments[1].members[2]': '用户 x 不存在',
      'departments[0].coordinator_id': '统筹人须为本科室成员',
      head_id: '用户 y 已停用',
      departments: '最多 30 个科室',
    }
    const { form, rows } = splitFieldErrors(fields, 'departments')
    expect(form).toEqual({ head_id: '用户 y 已停用', departments: '最多 30 个科室' })
    expect(rows).toEqual({ 0: { coordinator_id: '统筹人须为本科室成员' }, 1: { members: '用户 x 不存在' } })
  })
})
