import { inject, provide, ref, type InjectionKey, type Ref } from 'vue'
import type { Verb } from '@/api/tickets/types'

/**
 * The work pane: on the ticket detail page the verbs whose form needs what the page shows (the citizen's text for
 * a reply, the reply under review, the number to call back, the current due of an extension) open docked beside the
 * ticket instead of in a covering dialog (`ActionShell`, docked). Other verbs and other pages keep the dialog.
 */
export const PANE_VERBS: ReadonlySet<Verb> = new Set<Verb>(['reply', 'review', 'callback', 'request-extension', 'decide-extension'])

/** What the page brings into view beside each pane (the `data-test` of the element the form works from). */
export const PANE_CONTEXT: Partial<Record<Verb, string>> = {
  reply: 'ticket-content',
  review: 'ticket-reply',
  callback: 'ticket-caller',
  'request-extension': 'ticket-deadlines',
  'decide-extension': 'ticket-extension',
}

export interface WorkPane {
  /** The verb whose pane is open on this page, else null (the page makes room for it). */
  verb: Ref<Verb | null>
}

const KEY: InjectionKey<WorkPane> = Symbol('workPane')

/** The page that has room for a pane provides it (TicketDetailView). */
export function provideWorkPane(): WorkPane {
  const pane: WorkPane = { verb: ref<Verb | null>(null) }
  provide(KEY, pane)
  return pane
}

/** The page's pane, or undefined where no page provides one (the verb opens a dialog). */
export function useWorkPane(): WorkPane | undefined {
  return inject(KEY, undefined)
}

/** Does this verb open docked here? */
export function docksIn(pane: WorkPane | undefined, verb: Verb | null | undefined): boolean {
  return !!pane && !!verb && PANE_VERBS.has(verb)
}

/** `YYYY-MM-DD` of a date picker's day (the picker hands over local midnight of the day it shows). */
function pickerDay(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`
}

/** `YYYY-MM-DD` of an instant in Asia/Shanghai. */
export function shanghaiDay(at: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(at)
}

/**
 * An extension's new due (a day, meaning the close of office hours that day in Asia/Shanghai) must lie after the
 * current due: a day before today, or on or before the current due's day, cannot be picked.
 */
export function extensionDayDisabled(day: Date, currentDue: string | null | undefined, now: Date = new Date()): boolean {
  const d = pickerDay(day)
  if (d < shanghaiDay(now)) return true
  const due = currentDue ? new Date(currentDue) : null
  return !!due && !Number.isNaN(due.getTime()) && d <= shanghaiDay(due)
}
