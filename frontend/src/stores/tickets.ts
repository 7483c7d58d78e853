import { defineStore } from 'pinia'
import { ref } from 'vue'
import { listReplyTemplates, listUnits } from '@/api/directory'
import type { ReplyTemplate, Unit } from '@/api/directory/types'
import type { TicketListQuery } from '@/api/tickets/types'

/**
 * Ticket-side shared state: the directory (units, reply templates) loaded once per session,
 * and the last inbox filters so coming back from a detail page keeps them.
 */
export const useTicketsStore = defineStore('tickets', () => {
  const units = ref<Unit[]>([])
  const templates = ref<ReplyTemplate[]>([])
  const inboxFilters = ref<TicketListQuery>({})
  let unitsLoading: Promise<Unit[]> | null = null
  let templatesLoading: Promise<ReplyTemplate[]> | null = null

  function loadUnits(force = false): Promise<Unit[]> {
    if (units.value.length && !force) return Promise.resolve(units.value)
    if (!unitsLoading || force) {
      unitsLoading = listUnits()
        .then((r) => (units.value = r.items ?? []))
        .finally(() => (unitsLoading = null))
    }
    return unitsLoading
  }

  function loadTemplates(): Promise<ReplyTemplate[]> {
    if (templates.value.length) return Promise.resolve(templates.value)
    if (!templatesLoading) {
      templatesLoading = listReplyTemplates()
        .then((r) => (templates.value = r.items ?? []))
        .finally(() => (templatesLoading = null))
    }
    return templatesLoading
  }

  function unitName(id: string | null | undefined): string {
    if (!id) return ''
    return units.value.find((u) => u.id === id)?.name ?? id
  }

  function templateFor(category: string): ReplyTemplate | undefined {
    return templates.value.find((t) => t.category === category)
  }

  function reset(): void {
    units.value = []
    templates.value = []
    inboxFilters.value = {}
  }

  return { units, templates, inboxFilters, loadUnits, loadTemplates, unitName, templateFor, reset }
})
