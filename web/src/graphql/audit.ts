import { graphql } from '../gql'

export const AuditEvents = graphql(`
  query AuditEvents($first: Int!, $after: String, $filter: AuditEventFilter) {
    auditEvents(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        node { id time actorName projectId operation targetType targetId outcome errorCode requestId clientIp }
      }
    }
  }
`)

export const AuditTail = graphql(`
  subscription AuditTail($projectId: ID) {
    auditEvents(projectId: $projectId) {
      id time actorName projectId operation targetType targetId outcome errorCode requestId clientIp
    }
  }
`)
