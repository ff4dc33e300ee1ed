import { afterEach, describe, expect, it } from 'vitest'
import ServersPage from '../pages/ServersPage.vue'
import { endSession, setMe, startSession } from '../session'
import { fixtureClient, mountPage, settle } from './harness'

const SERVERS = {
  servers: {
    __typename: 'ServerConnection',
    totalCount: 2,
    pageInfo: { __typename: 'PageInfo', hasNextPage: false, endCursor: null },
    edges: [
      { __typename: 'ServerEdge', node: server('S1', 'web-1', 'RUNNING') },
      { __typename: 'ServerEdge', node: server('S2', 'db-1', 'STOPPED') },
    ],
  },
}

function server(id: string, name: string, status: string) {
  return {
    __typename: 'Server', id, name, status, vcpus: 1, memoryMb: 512, diskGb: 5, error: null,
    createdAt: '2026-01-01T00:00:00Z', project: { __typename: 'Project', id: 'P', name: 'acme' }, host: null,
    nics: [{ __typename: 'Nic', id: `N${id}`, ipAddress: '10.0.0.5' }], task: null,
  }
}

function signIn(permissions: string[]) {
  startSession({ token: 't', expiresAt: new Date(Date.now() + 3600_000).toISOString(), domain: 'default', username: 'u', project: 'acme' })
  setMe({ userId: 'U', userName: 'u', projectId: 'P', projectName: 'acme', roles: [], permissions })
}

describe('ServersPage', () => {
  afterEach(() => endSession())

  it('lists servers with status and only the actions that fit', async () => {
    signIn(['compute.server.list', 'compute.server.create', 'compute.server.start', 'compute.server.stop', 'compute.server.reboot', 'compute.server.delete'])
    const wrapper = mountPage(ServersPage, fixtureClient({ Servers: SERVERS }))
    await settle()
    const web = wrapper.find('[data-server=web-1]')
    expect(web.attributes('data-status')).toBe('RUNNING')
    expect(web.findAll('[data-action]').map((b) => b.attributes('data-action'))).toEqual(['stop', 'reboot', 'delete'])
    expect(wrapper.find('[data-server=db-1]').findAll('[data-action]').map((b) => b.attributes('data-action'))).toEqual(['start', 'delete'])
    expect(wrapper.find('[data-test=create-server]').exists()).toBe(true)
    expect(wrapper.find('[data-test=total]').text()).toContain('2 in total')
  })

  it('shows a reader neither the create button nor actions', async () => {
    signIn(['compute.server.list', 'compute.server.get'])
    const wrapper = mountPage(ServersPage, fixtureClient({ Servers: SERVERS }))
    await settle()
    expect(wrapper.find('[data-server=web-1]').exists()).toBe(true)
    expect(wrapper.find('[data-test=create-server]').exists()).toBe(false)
    expect(wrapper.findAll('[data-action]')).toHaveLength(0)
  })
})
