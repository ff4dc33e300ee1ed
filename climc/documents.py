"""The GraphQL documents the SDK sends, one constant per operation."""

TOKEN_CREATE = """
mutation TokenCreate($input: TokenCreateInput!) {
  tokenCreate(input: $input) {
    token
    expiresAt
    user { id name }
    errors { field message code }
  }
}
"""

TOKEN_REVOKE = """
mutation TokenRevoke($input: TokenRevokeInput!) {
  tokenRevoke(input: $input) {
    revoked
    errors { field message code }
  }
}
"""

ME = """
query Me {
  me { user { id name } project { id name } roles permissions }
}
"""

PROJECTS = """
query Projects($first: Int, $after: String, $filter: ProjectFilter) {
  projects(first: $first, after: $after, filter: $filter) {
    totalCount
    edges {
      cursor
      node { id name description enabled createdAt domain { id name } }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

PROJECT_CREATE = """
mutation ProjectCreate($input: ProjectCreateInput!) {
  projectCreate(input: $input) {
    project { id name description enabled createdAt domain { id name } }
    errors { field message code }
  }
}
"""

PROJECT_DELETE = """
mutation ProjectDelete($input: ProjectDeleteInput!) {
  projectDelete(input: $input) {
    deletedId
    errors { field message code }
  }
}
"""

USERS = """
query Users($first: Int, $after: String, $filter: UserFilter) {
  users(first: $first, after: $after, filter: $filter) {
    totalCount
    edges {
      cursor
      node { id name email enabled createdAt domain { id name } }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

USER_CREATE = """
mutation UserCreate($input: UserCreateInput!) {
  userCreate(input: $input) {
    user { id name email enabled createdAt domain { id name } }
    errors { field message code }
  }
}
"""

USER_DELETE = """
mutation UserDelete($input: UserDeleteInput!) {
  userDelete(input: $input) {
    deletedId
    errors { field message code }
  }
}
"""

ROLES = """
query Roles($first: Int, $after: String) {
  roles(first: $first, after: $after) {
    totalCount
    edges {
      cursor
      node { id name description permissions builtIn }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

ROLE_ASSIGNMENT_CREATE = """
mutation RoleAssignmentCreate($input: RoleAssignmentCreateInput!) {
  roleAssignmentCreate(input: $input) {
    roleAssignment {
      id
      role { id name }
      user { id name }
      group { id name }
      project { id name }
      domain { id name }
      system
    }
    errors { field message code }
  }
}
"""

AUDIT_EVENTS = """
query AuditEvents($first: Int, $after: String, $filter: AuditEventFilter) {
  auditEvents(first: $first, after: $after, filter: $filter) {
    totalCount
    edges {
      cursor
      node {
        id time actorId actorName projectId operation targetType targetId
        outcome errorCode requestId clientIp
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

AUDIT_EVENTS_SUBSCRIPTION = """
subscription AuditEvents($projectId: ID) {
  auditEvents(projectId: $projectId) {
    id time actorId actorName projectId operation targetType targetId
    outcome errorCode requestId clientIp
  }
}
"""
