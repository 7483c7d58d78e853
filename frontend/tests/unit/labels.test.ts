import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import { defineComponent, h } from 'vue'
import catalogue from '@/locales/catalogue.json'
import zhCN from '@/locales/zh-CN'
import enUS from '@/locales/en-US'
import { i18n, LOCALES, setLocale, type AppLocale } from '@/locales'
import { ROLES } from '@/api/auth/types'
import { CONTACT_ROLES, UNIT_KINDS } from '@/api/admin/types'
import { SHIFTS } from '@/api/calendar/types'
import {
  CALL_KINDS,
  CATEGORIES,
  CHANNELS,
  FLAG_NAMES,
  HOTLINES,
  SATISFACTIONS,
  STATUSES,
  VERBS,
  ENV_DECISIONS,
  ENV_REASONS,
  SUPERVISION_TRIGGERS,
  RESULT_SECTIONS,
} from '@/api/tickets/types'
import { useLabel } from '@/composables/useLabel'

/** Locale table → every code the SPA's types know for it. */
const CODES: Record<string, readonly string[]> = {
  status: STATUSES,
  category: CATEGORIES,
  channel: CHANNELS,
  flags: [...FLAG_NAMES, 'urgent', 'confidential'], // FlagTags shows the two ticket booleans as flags too
  verbs: VERBS,
  roles: ROLES,
  satisfaction: SATISFACTIONS,
  callKind: CALL_KINDS,
  hotlines: HOTLINES,
  'adminUnits.kinds': UNIT_KINDS,
  'adminUnits.contactRoles': CONTACT_ROLES,
  'duty.shifts': SHIFTS,
  envDecision: ENV_DECISIONS,
  envReason: ENV_REASONS,
  supervisionTrigger: SUPERVISION_TRIGGERS,
  resultSection: RESULT_SECTIONS,
}

/** Locale table → the catalogue table it is taken from. */
const FROM_CATALOGUE: Record<string, keyof (typeof catalogue)['zh-CN']> = {
  roles: 'roles',
  status: 'status',
  category: 'category',
  channel: 'channel',
  hotlines: 'hotlines',
  flags: 'flags',
  verbs: 'verbs',
  eventData: 'eventData',
  satisfaction: 'satisfaction',
  callKind: 'callKind',
  callOutcome: 'callOutcome',
  replySection: 'replySection',
  deliveryStatus: 'deliveryStatus',
  'adminUnits.kinds': 'unitKind',
  'adminUnits.contactRoles': 'contactRole',
  'duty.shifts': 'shift',
  'partners.keyStatus': 'keyStatus',
}

const MESSAGES: Record<AppLocale, object> = { 'zh-CN': zhCN, 'en-US': enUS }

function at(messages: object, path: string): unknown {
  return path.split('.').reduce<unknown>((node, k) => (node as Record<string, unknown> | undefined)?.[k], messages)
}

function keyPaths(node: unknown, prefix = ''): string[] {
  if (typeof node !== 'object' || node === null) return [prefix]
  return Object.entries(node).flatMap(([k, v]) => keyPaths(v, prefix ? `${prefix}.${k}` : k))
}

describe('every code the SPA knows has a name in both languages', () => {
  describe.each(LOCALES)('%s', (locale) => {
    it.each(Object.keys(CODES))('%s', (table) => {
      for (const code of CODES[table]) {
        const key = `${table}.${code}`
        expect(i18n.global.te(key, locale), key).toBe(true)
        const name = i18n.global.t(key, {}, { locale })
        expect(name, key).not.toBe(key)
        expect(name.trim(), key).not.toBe('')
      }
    })
  })
})

describe('the code names come from the backend label catalogue', () => {
  it.each(LOCALES)('%s takes its tables from catalogue.json', (locale) => {
    for (const [table, kind] of Object.entries(FROM_CATALOGUE)) {
      expect(at(MESSAGES[locale], table), table).toEqual(catalogue[locale][kind])
    }
  })

  it.each(LOCALES)('%s names every catalogue event and keeps only "unknown" of its own', (locale) => {
    const events = at(MESSAGES[locale], 'events') as Record<string, string>
    const { unknown, ...named } = events
    expect(named).toEqual(catalogue[locale].events)
    expect(unknown).not.toMatch(/[{}]/) // an unknown event never shows its raw type
  })

  it('names an unknown event plainly', () => {
    expect(zhCN.events.unknown).toBe('其他事件')
    expect(enUS.events.unknown).toBe('Other event')
  })

  it('uses the catalogue wording where the SPA had its own', () => {
    expect(zhCN.status.extension_requested).toBe('延期待审批')
    expect(zhCN.satisfaction.unreachable).toBe('无法联系')
    expect(enUS.adminUnits.kinds.company).toBe('Enterprise or institution')
  })
})

describe('the two locales', () => {
  it('have the same keys', () => {
    expect(keyPaths(enUS).sort()).toEqual(keyPaths(zhCN).sort())
  })

  it('have the same keys in the catalogue export', () => {
    expect(keyPaths(catalogue['en-US']).sort()).toEqual(keyPaths(catalogue['zh-CN']).sort())
  })
})

describe('useLabel', () => {
  function labelIn(locale: AppLocale, table: string, code: string | null): string {
    setLocale(locale)
    let out = ''
    const Probe = defineComponent({
      setup() {
        const label = useLabel()
        out = label(table, code)
        return () => h('span')
      },
    })
    mount(Probe, { global: { plugins: [i18n] } }).unmount()
    return out
  }

  it('names hotlines, call outcomes and delivery states the pages used to show as codes', () => {
    expect(labelIn('zh-CN', 'hotlines', '12345')).toBe('12345便民服务热线')
    expect(labelIn('zh-CN', 'callOutcome', 'reached')).toBe('已接通')
    expect(labelIn('zh-CN', 'deliveryStatus', 'submitted')).toBe('已提交')
    expect(labelIn('en-US', 'replySection', 'basis')).toBe('Legal basis')
  })

  it('never shows an unknown code as itself, keeps typed text, and shows nothing for no code', () => {
    expect(labelIn('zh-CN', 'deliveryStatus', 'no_such_state')).toBe('其他')
    expect(labelIn('en-US', 'deliveryStatus', 'no_such_state')).toBe('Other')
    expect(labelIn('zh-CN', 'deliveryStatus', 'retrying')).toBe('等待重试')
    expect(labelIn('zh-CN', 'callOutcome', '对方说稍后回电')).toBe('对方说稍后回电')
    expect(labelIn('zh-CN', 'hotlines', null)).toBe('')
  })
})

describe('no rule id on a screen', () => {
  function strings(node: unknown): string[] {
    if (typeof node === 'string') return [node]
    if (node && typeof node === 'object') return Object.values(node).flatMap(strings)
    return []
  }
  it('no message in either language names a rule id', () => {
    const ids = [...strings(zhCN), ...strings(enUS)].filter((s) => /R-(12345|12369|WORK)-\d/.test(s))
    expect(ids).toEqual([])
  })
})
