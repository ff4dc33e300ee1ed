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
        outcome errorCode detail requestId clientIp
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
    outcome errorCode detail requestId clientIp
  }
}
"""

# --- compute ------------------------------------------------------------------
# Fragments shared by the compute documents; each document appends the ones it spreads.

TASK_FIELDS = """
fragment TaskFields on Task {
  id kind status progress stage error result actorName cancelRequested
  createdAt startedAt finishedAt
  target { id type }
  parent { id kind }
}
"""

SERVER_FIELDS = """
fragment ServerFields on Server {
  id name status vcpus memoryMb diskGb vncPort error createdAt
  project { id name }
  host { id name }
  nics { id mac ipAddress index network { id name } }
  disks { id sizeGb bootIndex status }
  task { id kind status progress stage }
}
"""

HOST_FIELDS = """
fragment HostFields on Host {
  id name status enabled hypervisor arch cpus memoryMb storageGb
  cpuRatio memoryRatio storageRatio vcpusUsed memoryUsedMb storageUsedGb
  serversCount tags lastHeartbeat createdAt
  zone { id name }
}
"""

NETWORK_FIELDS = """
fragment NetworkFields on Network {
  id name cidr gateway bridge vlanId shared createdAt
  project { id name }
}
"""

SERVERS = (
    """
query Servers($first: Int, $after: String, $filter: ServerFilter) {
  servers(first: $first, after: $after, filter: $filter) {
    totalCount
    edges { cursor node { ...ServerFields } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
    + SERVER_FIELDS
)

SERVER = (
    """
query Server($id: ID!) {
  node(id: $id) { __typename ...ServerFields }
}
"""
    + SERVER_FIELDS
)

SERVER_CREATE = (
    """
mutation ServerCreate($input: ServerCreateInput!) {
  serverCreate(input: $input) {
    servers { ...ServerFields }
    task { ...TaskFields }
    errors { field message code }
  }
}
"""
    + SERVER_FIELDS
    + TASK_FIELDS
)


def _server_action(operation: str, input_type: str) -> str:
    return (
        f"""
mutation {operation[0].upper()}{operation[1:]}($input: {input_type}!) {{
  {operation}(input: $input) {{
    server {{ ...ServerFields }}
    task {{ ...TaskFields }}
    errors {{ field message code }}
  }}
}}
"""
        + SERVER_FIELDS
        + TASK_FIELDS
    )


SERVER_CONSOLE_CREATE = """
mutation ServerConsoleCreate($input: ServerConsoleCreateInput!) {
  serverConsoleCreate(input: $input) {
    url websocketUrl token expiresAt
    errors { field message code }
  }
}
"""

SERVER_START = _server_action("serverStart", "ServerStartInput")
SERVER_STOP = _server_action("serverStop", "ServerStopInput")
SERVER_REBOOT = _server_action("serverReboot", "ServerRebootInput")
SERVER_DELETE = _server_action("serverDelete", "ServerDeleteInput")

HOSTS = (
    """
query Hosts($first: Int, $after: String, $filter: HostFilter) {
  hosts(first: $first, after: $after, filter: $filter) {
    totalCount
    edges { cursor node { ...HostFields } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
    + HOST_FIELDS
)

NETWORKS = (
    """
query Networks($first: Int, $after: String, $filter: NetworkFilter) {
  networks(first: $first, after: $after, filter: $filter) {
    totalCount
    edges { cursor node { ...NetworkFields } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
    + NETWORK_FIELDS
)

NETWORK_CREATE = (
    """
mutation NetworkCreate($input: NetworkCreateInput!) {
  networkCreate(input: $input) {
    network { ...NetworkFields }
    errors { field message code }
  }
}
"""
    + NETWORK_FIELDS
)

TASKS = (
    """
query Tasks($first: Int, $after: String, $filter: TaskFilter) {
  tasks(first: $first, after: $after, filter: $filter) {
    totalCount
    edges { cursor node { ...TaskFields } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
    + TASK_FIELDS
)

TASK = (
    """
query Task($id: ID!) {
  node(id: $id) {
    __typename
    ...TaskFields
    ... on Task { subtasks { ...TaskFields } }
  }
}
"""
    + TASK_FIELDS
)

# What polling needs: the same fields the subscription sends, without subtasks.
TASK_STATE = (
    """
query TaskState($id: ID!) {
  node(id: $id) { __typename ...TaskFields }
}
"""
    + TASK_FIELDS
)

TASK_CANCEL = (
    """
mutation TaskCancel($input: TaskCancelInput!) {
  taskCancel(input: $input) {
    task { ...TaskFields }
    errors { field message code }
  }
}
"""
    + TASK_FIELDS
)

TASK_UPDATED_SUBSCRIPTION = (
    """
subscription TaskUpdated($id: ID!) {
  taskUpdated(id: $id) { ...TaskFields }
}
"""
    + TASK_FIELDS
)

IDENTITY_PROVIDER_FIELDS = """
fragment IdentityProviderFields on IdentityProvider {
  id name driver enabled syncIntervalS lastSyncAt lastSyncError hasSecret createdAt
  domain { id name }
  ldap { urls preset userBaseDn groupBaseDn bindDn startTls }
  oidc { issuer clientId loginPath }
  roleMappings { group role project }
}
"""

IDENTITY_PROVIDERS = (
    """
query IdentityProviders($first: Int, $after: String, $filter: IdentityProviderFilter) {
  identityProviders(first: $first, after: $after, filter: $filter) {
    totalCount
    edges { cursor node { ...IdentityProviderFields } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
    + IDENTITY_PROVIDER_FIELDS
)

IDENTITY_PROVIDER_CREATE = (
    """
mutation IdentityProviderCreate($input: IdentityProviderCreateInput!) {
  identityProviderCreate(input: $input) {
    identityProvider { ...IdentityProviderFields }
    errors { field message code }
  }
}
"""
    + IDENTITY_PROVIDER_FIELDS
)

IDENTITY_PROVIDER_SYNC = (
    """
mutation IdentityProviderSync($input: IdentityProviderSyncInput!) {
  identityProviderSync(input: $input) {
    identityProvider { id name }
    task { ...TaskFields }
    errors { field message code }
  }
}
"""
    + TASK_FIELDS
)

QUOTA_FIELDS = """
fragment QuotaFields on Quota {
  id
  project { id name }
  domain { id name }
  resources { resource limit used available source }
}
"""

QUOTAS = (
    """
query Quotas($first: Int, $after: String, $filter: QuotaFilter) {
  quotas(first: $first, after: $after, filter: $filter) {
    totalCount
    edges { cursor node { ...QuotaFields } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
    + QUOTA_FIELDS
)

QUOTA_DEFAULTS = (
    """
query QuotaDefaults($domainId: ID!) {
  quotaDefaults(domainId: $domainId) { ...QuotaFields }
}
"""
    + QUOTA_FIELDS
)

QUOTA_UPDATE = (
    """
mutation QuotaUpdate($input: QuotaUpdateInput!) {
  quotaUpdate(input: $input) {
    quota { ...QuotaFields }
    errors { field message code }
  }
}
"""
    + QUOTA_FIELDS
)


SCHEDULER_FORECAST = """
query SchedulerForecast($input: ServerCreateInput!, $limit: Int) {
  schedulerForecast(input: $input, limit: $limit) {
    fits count requested hostsChecked summary
    candidates { host { id name } weight servers }
    rejections { host { id name } filter reason detail }
    rejectionCounts { filter reason hosts }
    errors { field message code }
  }
}
"""

SERVER_GROUP_FIELDS = """
fragment ServerGroupFields on ServerGroup { id name policy createdAt project { id name } }
"""

SERVER_GROUPS = (
    """
query ServerGroups($first: Int, $after: String, $filter: ServerGroupFilter) {
  serverGroups(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { ...ServerGroupFields } }
  }
}
"""
    + SERVER_GROUP_FIELDS
)

SERVER_GROUP_CREATE = (
    """
mutation ServerGroupCreate($input: ServerGroupCreateInput!) {
  serverGroupCreate(input: $input) {
    serverGroup { ...ServerGroupFields }
    errors { field message code }
  }
}
"""
    + SERVER_GROUP_FIELDS
)

SERVER_GROUP_DELETE = """
mutation ServerGroupDelete($input: ServerGroupDeleteInput!) {
  serverGroupDelete(input: $input) { deletedId errors { field message code } }
}
"""

SCHEDULER_SETTINGS_FIELDS = """
fragment SchedulerSettingsFields on SchedulerSettings {
  strategy maxServersPerHost filters
  multipliers { weigher multiplier }
  projectStrategies { projectId strategy }
}
"""

SCHEDULER_SETTINGS = (
    """
query SchedulerSettings { schedulerSettings { ...SchedulerSettingsFields } }
"""
    + SCHEDULER_SETTINGS_FIELDS
)

SCHEDULER_SETTINGS_UPDATE = (
    """
mutation SchedulerSettingsUpdate($input: SchedulerSettingsUpdateInput!) {
  schedulerSettingsUpdate(input: $input) {
    settings { ...SchedulerSettingsFields }
    errors { field message code }
  }
}
"""
    + SCHEDULER_SETTINGS_FIELDS
)


# --- images -------------------------------------------------------------------

IMAGE_FIELDS = """
fragment ImageFields on Image {
  id name status visibility diskFormat size virtualSize checksum fileUrl
  minDiskGb minMemoryMb osType osDistro osArch protected error createdAt updatedAt
  project { id name }
  sharedWith
}
"""

IMAGES = (
    """
query Images($first: Int, $after: String, $filter: ImageFilter) {
  images(first: $first, after: $after, filter: $filter) {
    totalCount
    edges { cursor node { ...ImageFields } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
    + IMAGE_FIELDS
)

IMAGE = (
    """
query Image($id: ID!) {
  node(id: $id) { __typename ...ImageFields }
}
"""
    + IMAGE_FIELDS
)

IMAGE_CREATE = (
    """
mutation ImageCreate($input: ImageCreateInput!) {
  imageCreate(input: $input) {
    image { ...ImageFields }
    uploadUrl
    errors { field message code }
  }
}
"""
    + IMAGE_FIELDS
)

IMAGE_UPDATE = (
    """
mutation ImageUpdate($input: ImageUpdateInput!) {
  imageUpdate(input: $input) {
    image { ...ImageFields }
    errors { field message code }
  }
}
"""
    + IMAGE_FIELDS
)

IMAGE_SHARE = (
    """
mutation ImageShare($input: ImageShareInput!) {
  imageShare(input: $input) {
    image { ...ImageFields }
    errors { field message code }
  }
}
"""
    + IMAGE_FIELDS
)

IMAGE_DELETE = """
mutation ImageDelete($input: ImageDeleteInput!) {
  imageDelete(input: $input) {
    deletedId
    errors { field message code }
  }
}
"""

IMAGE_CONVERT = (
    """
mutation ImageConvert($input: ImageConvertInput!) {
  imageConvert(input: $input) {
    image { ...ImageFields }
    task { ...TaskFields }
    errors { field message code }
  }
}
"""
    + IMAGE_FIELDS
    + TASK_FIELDS
)
