import type { HTMLAttributes } from "vue"

/** Small display helpers shared by the pages. */

export function when(iso: string | null | undefined): string {
  if (!iso) return '—'
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString()
}

export function percent(used: number, total: number): number {
  return total > 0 ? Math.min(100, Math.round((used / total) * 100)) : 0
}

export function memory(mb: number): string {
  return mb >= 1024 ? `${(mb / 1024).toFixed(mb % 1024 ? 1 : 0)} GiB` : `${mb} MiB`
}

type TagType = 'default' | 'success' | 'info' | 'warning' | 'error'

const STATUS: Record<string, TagType> = {
  RUNNING: 'success',
  SUCCEEDED: 'success',
  ONLINE: 'success',
  STOPPED: 'default',
  DELETED: 'default',
  CANCELLED: 'default',
  ERROR: 'error',
  FAILED: 'error',
  OFFLINE: 'error',
  DENIED: 'error',
  FAILURE: 'warning',
  SUCCESS: 'success',
  MAINTENANCE: 'warning',
}

export function statusType(status: string): TagType {
  return STATUS[status] ?? 'info'
}

export const TERMINAL_TASK = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED'])

/** `data-*` attributes for a table row (naive-ui types row props as plain HTML attributes). */
export function dataAttrs(attrs: Record<string, string>): HTMLAttributes {
  return attrs as HTMLAttributes
}
