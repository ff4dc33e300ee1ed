/** Keyset pagination over a Relay connection: a stack of `after` cursors. */
import { computed, ref } from 'vue'

export function usePager(pageSize = 20) {
  const cursors = ref<Array<string | null>>([null])
  const after = computed(() => cursors.value[cursors.value.length - 1])
  const page = computed(() => cursors.value.length)
  return {
    first: pageSize,
    after,
    page,
    next(endCursor: string | null | undefined) {
      if (endCursor) cursors.value = [...cursors.value, endCursor]
    },
    prev() {
      if (cursors.value.length > 1) cursors.value = cursors.value.slice(0, -1)
    },
    reset() {
      cursors.value = [null]
    },
  }
}
