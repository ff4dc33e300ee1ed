import { afterEach, describe, expect, it } from 'vitest'
import AuditPage from '../pages/AuditPage.vue'
import { endSession, setMe, startSession } from '../session'
import { Streams, fixtureClient, mountPage, settle } from './harness'

function event(id: string, operation: string, outcome = 'SUCCESS') {
  return {
    __typename: 'AuditEvent', id, time: '2026-01-01T00:00:00Z', actorName: 'alice', projectId: 'P', operation,
    targetType: 'Server', targetId: 'S1', outcome, errorCode: null, requestId: 'r', clientIp: '127.0.0.1',
  }
}

const STORED = {
  auditEvents: {
    __typename: 'AuditEventConnection',
    totalCount: 1,
    pageInfo: { __typename: 'PageInfo', hasNextPage: false, endCursor: null },
    edges: [{ __typename: 'AuditEventEdge', node: event('A1', 'serverCreate') }],
  },
}

describe('AuditPage', () => {
  afterEach(() => endSession())

  it('puts live events on top of the stored ones', async () => {
    startSession({ token: 't', expiresAt: new Date(Date.now() + 3600_000).toISOString(), domain: 'default', username: 'alice', project: 'acme' })
    setMe({ userId: 'U', userName: 'alice', projectId: 'P', projectName: 'acme', roles: ['member'], permissions: ['audit.event.list'] })
    const streams = new Streams()
    const wrapper = mountPage(AuditPage, fixtureClient({ AuditEvents: STORED }, [], streams))
    await settle()
    const operations = () => wrapper.findAll('tr[data-operation]').map((r) => r.attributes('data-operation'))
    expect(operations()).toEqual(['serverCreate'])

    streams.push('AuditTail', { auditEvents: event('A2', 'serverStop') })
    streams.push('AuditTail', { auditEvents: event('A3', 'serverStart', 'DENIED') })
    await settle()
    expect(operations()).toEqual(['serverStart', 'serverStop', 'serverCreate'])
    expect(wrapper.find('tr[data-operation=serverStart]').attributes('data-outcome')).toBe('DENIED')
    expect(wrapper.find('[data-test=total]').text()).toContain('3 in total')
  })
})
