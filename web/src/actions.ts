/** Server actions with a confirmation, reporting payload and authorization errors. */
import { useMutation } from '@urql/vue'
import { useDialog, useMessage } from 'naive-ui'
import { describe } from './errors'
import { ServerDelete, ServerReboot, ServerStart, ServerStop } from './graphql/compute'

export type ServerAction = 'start' | 'stop' | 'reboot' | 'delete'

export const ACTION_PERMISSION: Record<ServerAction, string> = {
  start: 'compute.server.start',
  stop: 'compute.server.stop',
  reboot: 'compute.server.reboot',
  delete: 'compute.server.delete',
}

/** Which actions make sense in a status (the server refuses the rest with INVALID_STATE anyway). */
export function actionsFor(status: string): ServerAction[] {
  if (status === 'RUNNING') return ['stop', 'reboot', 'delete']
  if (status === 'STOPPED') return ['start', 'delete']
  if (status === 'ERROR') return ['delete']
  return []
}

export function useServerActions(onDone?: (taskId: string | null) => void) {
  const dialog = useDialog()
  const message = useMessage()
  const start = useMutation(ServerStart)
  const stop = useMutation(ServerStop)
  const reboot = useMutation(ServerReboot)
  const remove = useMutation(ServerDelete)

  async function run(action: ServerAction, id: string) {
    const result =
      action === 'start'
        ? await start.executeMutation({ id })
        : action === 'stop'
          ? await stop.executeMutation({ id, force: false })
          : action === 'reboot'
            ? await reboot.executeMutation({ id })
            : await remove.executeMutation({ id })
    const data = result.data as
      | Record<string, { errors: { message: string }[]; task?: { id: string } | null }>
      | undefined
    const payload = data ? Object.values(data)[0] : undefined
    if (!payload) {
      message.error(describe(result.error) ?? `Could not ${action} the server`)
      return
    }
    if (payload.errors.length) {
      message.error(payload.errors.map((e) => e.message).join('; '))
      return
    }
    message.success(`${action[0].toUpperCase()}${action.slice(1)} requested`)
    onDone?.(payload.task?.id ?? null)
  }

  function confirm(action: ServerAction, id: string, name: string) {
    const destructive = action === 'delete'
    dialog[destructive ? 'error' : 'warning']({
      title: `${action[0].toUpperCase()}${action.slice(1)} ${name}?`,
      content: destructive
        ? `Server ${name}, its disks and its addresses will be deleted. This cannot be undone.`
        : `Server ${name} will be asked to ${action}.`,
      positiveText: action[0].toUpperCase() + action.slice(1),
      negativeText: 'Cancel',
      onPositiveClick: () => run(action, id),
    })
  }

  return { confirm }
}
