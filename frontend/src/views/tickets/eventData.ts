/** One readable line for a timeline event's `data` (labels translated, ids → names, ISO → local time). */

export interface EventDataHelpers {
  t: (key: string, values?: Record<string, unknown>) => string
  te: (key: string) => boolean
  unitName: (id: string) => string
  dateTime: (iso: string) => string
  /** A reply section id → the template's title. */
  sectionTitle?: (id: string) => string
  /** The partner platform's name for a partner id (the ticket's `partner_name` for its `source`). */
  partnerName?: (id: string) => string | null | undefined
}

/** Where a ticket came from: a channel by its name, or 合作平台（name） for the partner platform that pushed it
 * (just 合作平台 when the partner is unknown or deleted); never the partner's id. */
export function sourceLabel(
  source: string,
  partnerName: string | null | undefined,
  h: Pick<EventDataHelpers, 't' | 'te'>,
): string {
  if (h.te(`channel.${source}`)) return h.t(`channel.${source}`)
  return partnerName ? h.t('ticket.partnerSource', { name: partnerName }) : h.t('roles.partner')
}

/** Keys never shown (internal or repeated elsewhere on the page). */
const HIDDEN = new Set(['by', 'at', 'actor_id', 'ticket_id', 'version', 'seq'])
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/

/** Data keys whose values are codes, and the locale table naming them (the backend's label catalogue). */
const CODE_TABLES: Record<string, string> = {
  satisfaction: 'satisfaction',
  kind: 'callKind',
  outcome: 'callOutcome',
  channel: 'channel',
  stage: 'overdueStage', // R-12345-08: who held the ticket when its due passed
  alert: 'alertKind', // the deadline alert a sweep event answers
  difficult_trigger: 'difficultTrigger', // R-12345-10: why the ticket went to the leader
}

const DECISION_TABLES = ['extensionDecision', 'envDecision']

/** The name of a code; the value itself when the table does not know it (free text such as a call outcome). */
function known(table: string, code: string, h: EventDataHelpers): string {
  return h.te(`${table}.${code}`) ? h.t(`${table}.${code}`) : code
}

function value(key: string, v: unknown, h: EventDataHelpers): string {
  if (typeof v === 'boolean') return v ? h.t('common.yes') : h.t('common.no')
  if (Array.isArray(v)) {
    return v
      .map((x) => {
        const id = String(x)
        if (key.endsWith('unit_ids')) return h.unitName(id)
        if (key === 'sections') return h.sectionTitle ? h.sectionTitle(id) : known('replySection', id, h)
        return id
      })
      .join('、')
  }
  const s = String(v)
  if (key === 'source') return sourceLabel(s, h.partnerName?.(s), h)
  if (key === 'unit_id' || key === 'from_unit_id') return h.unitName(s)
  const table = CODE_TABLES[key]
  if (table) return known(table, s, h)
  if (key === 'decision') {
    // an extension decision or a 12369 acceptance decision by name; a leader's decision is free text
    const named = DECISION_TABLES.find((t) => h.te(`${t}.${s}`))
    return named ? h.t(`${named}.${s}`) : s
  }
  if (ISO.test(s)) return h.dateTime(s)
  return s
}

function call(c: Record<string, unknown>, h: EventDataHelpers): string {
  const who = [c.to_name, c.to_phone].filter((x) => typeof x === 'string' && x).join(' ')
  const note = typeof c.note === 'string' && c.note ? `（${c.note}）` : ''
  return `${h.t('eventData.call')}：${who}${note}`
}

function label(key: string, h: EventDataHelpers): string {
  return h.te(`eventData.${key}`) ? h.t(`eventData.${key}`) : key
}

export function describeEventData(data: Record<string, unknown> | null | undefined, h: EventDataHelpers): string {
  const parts: string[] = []
  for (const [k, v] of Object.entries(data ?? {})) {
    if (HIDDEN.has(k) || v === null || v === undefined || v === '') continue
    if (Array.isArray(v) && !v.length) continue
    if (k === 'call' && v && typeof v === 'object' && !Array.isArray(v)) {
      parts.push(call(v as Record<string, unknown>, h))
      continue
    }
    if (k === 'co_calls' && Array.isArray(v)) {
      // R-12345-02: the call that told each co-unit
      for (const c of v as Record<string, unknown>[]) parts.push(`${h.unitName(String(c.unit_id ?? ''))}${call(c, h)}`)
      continue
    }
    if (k === 'escalated' && v && typeof v === 'object' && !Array.isArray(v)) {
      // R-12345-10: the transition also put the ticket before the leader
      const e = v as Record<string, unknown>
      const why = known('difficultTrigger', String(e.difficult_trigger ?? ''), h)
      const due = typeof e.decision_due === 'string' ? `，${label('decision_due', h)} ${h.dateTime(e.decision_due)}` : ''
      parts.push(`${label('escalated', h)}：${why}${e.joined ? '' : due}`)
      continue
    }
    if (typeof v === 'object' && !Array.isArray(v)) continue
    parts.push(`${label(k, h)}：${value(k, v, h)}`)
  }
  return parts.join('；')
}
