"""GraphQL documents of the load balancer commands (the `lb-*` commands and LoadbalancerApi)."""

TASK_REF = "task { id kind status progress stage error }"
ERRORS = "errors { field message code }"

LISTENER_FIELDS = """
fragment ListenerFields on LoadbalancerListener {
  id name protocol port scheduler stickyCookie xForwardedFor redirectHttps aclType state
  connectTimeoutMs clientTimeoutMs serverTimeoutMs
  backendGroup { id name } certificate { id name } acl { id name }
  rules { id host path state backendGroup { id name } }
}
"""
GROUP_FIELDS = """
fragment GroupFields on LoadbalancerBackendGroup {
  id name state
  healthCheck { type path expectedCodes intervalMs rise fall }
  backends { id address port weight backup health healthChangedAt state server { id name } }
}
"""
LOADBALANCER_FIELDS = """
fragment LoadbalancerFields on Loadbalancer {
  id name description vip status error createdAt
  project { id name } network { id name } cluster { id name }
}
"""

LOADBALANCERS = (
    """
query Loadbalancers($first: Int, $after: String, $filter: LoadbalancerFilter) {
  loadbalancers(first: $first, after: $after, filter: $filter) {
    totalCount
    edges { cursor node { ...LoadbalancerFields listeners { port protocol } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
    + LOADBALANCER_FIELDS
)

LOADBALANCER = (
    """
query Loadbalancer($id: ID!) {
  node(id: $id) {
    __typename
    ... on Loadbalancer {
      ...LoadbalancerFields
      task { id kind status progress }
      listeners { ...ListenerFields }
      backendGroups { ...GroupFields }
    }
  }
}
"""
    + LOADBALANCER_FIELDS
    + LISTENER_FIELDS
    + GROUP_FIELDS
)

LOADBALANCER_CREATE = (
    f"""
mutation LoadbalancerCreate($input: LoadbalancerCreateInput!) {{
  loadbalancerCreate(input: $input) {{ loadbalancer {{ ...LoadbalancerFields }} {TASK_REF} {ERRORS} }}
}}
"""
    + LOADBALANCER_FIELDS
)

LOADBALANCER_DELETE = f"""
mutation LoadbalancerDelete($input: LoadbalancerDeleteInput!) {{
  loadbalancerDelete(input: $input) {{ loadbalancer {{ id name status }} {TASK_REF} {ERRORS} }}
}}
"""

LISTENER_CREATE = (
    f"""
mutation ListenerCreate($input: LoadbalancerListenerCreateInput!) {{
  loadbalancerListenerCreate(input: $input) {{ listener {{ ...ListenerFields }} {TASK_REF} {ERRORS} }}
}}
"""
    + LISTENER_FIELDS
)

LISTENER_UPDATE = (
    f"""
mutation ListenerUpdate($input: LoadbalancerListenerUpdateInput!) {{
  loadbalancerListenerUpdate(input: $input) {{ listener {{ ...ListenerFields }} {TASK_REF} {ERRORS} }}
}}
"""
    + LISTENER_FIELDS
)

RULE_CREATE = f"""
mutation RuleCreate($input: LoadbalancerListenerRuleCreateInput!) {{
  loadbalancerListenerRuleCreate(input: $input) {{ rule {{ id host path }} {TASK_REF} {ERRORS} }}
}}
"""

GROUP_CREATE = (
    f"""
mutation GroupCreate($input: LoadbalancerBackendGroupCreateInput!) {{
  loadbalancerBackendGroupCreate(input: $input) {{ backendGroup {{ ...GroupFields }} {TASK_REF} {ERRORS} }}
}}
"""
    + GROUP_FIELDS
)

BACKEND_CREATE = f"""
mutation BackendCreate($input: LoadbalancerBackendCreateInput!) {{
  loadbalancerBackendCreate(input: $input) {{ backend {{ id address port weight backup }} {TASK_REF} {ERRORS} }}
}}
"""

BACKEND_UPDATE = f"""
mutation BackendUpdate($input: LoadbalancerBackendUpdateInput!) {{
  loadbalancerBackendUpdate(input: $input) {{ backend {{ id address port weight backup }} {TASK_REF} {ERRORS} }}
}}
"""


def _part_delete(field: str, input_type: str) -> str:
    return f"""
mutation {field[0].upper() + field[1:]}($input: {input_type}!) {{
  {field}(input: $input) {{ deletedId {TASK_REF} {ERRORS} }}
}}
"""


LISTENER_DELETE = _part_delete("loadbalancerListenerDelete", "LoadbalancerListenerDeleteInput")
RULE_DELETE = _part_delete("loadbalancerListenerRuleDelete", "LoadbalancerListenerRuleDeleteInput")
GROUP_DELETE = _part_delete("loadbalancerBackendGroupDelete", "LoadbalancerBackendGroupDeleteInput")
BACKEND_DELETE = _part_delete("loadbalancerBackendDelete", "LoadbalancerBackendDeleteInput")

CERTIFICATES = """
query Certificates($first: Int, $after: String, $filter: LoadbalancerOwnedFilter) {
  loadbalancerCertificates(first: $first, after: $after, filter: $filter) {
    totalCount
    edges { cursor node { id name commonName subjectAltNames notAfter expired fingerprintSha256 project { name } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

CERTIFICATE_CREATE = f"""
mutation CertificateCreate($input: LoadbalancerCertificateCreateInput!) {{
  loadbalancerCertificateCreate(input: $input) {{
    certificate {{ id name commonName notAfter fingerprintSha256 }} {ERRORS}
  }}
}}
"""

CERTIFICATE_DELETE = f"""
mutation CertificateDelete($input: LoadbalancerCertificateDeleteInput!) {{
  loadbalancerCertificateDelete(input: $input) {{ deletedId {ERRORS} }}
}}
"""

ACLS = """
query Acls($first: Int, $after: String, $filter: LoadbalancerOwnedFilter) {
  loadbalancerAcls(first: $first, after: $after, filter: $filter) {
    totalCount
    edges { cursor node { id name cidrs description project { name } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

ACL_CREATE = f"""
mutation AclCreate($input: LoadbalancerAclCreateInput!) {{
  loadbalancerAclCreate(input: $input) {{ acl {{ id name cidrs }} {ERRORS} }}
}}
"""

ACL_DELETE = f"""
mutation AclDelete($input: LoadbalancerAclDeleteInput!) {{
  loadbalancerAclDelete(input: $input) {{ deletedId {ERRORS} }}
}}
"""

CLUSTERS = """
query Clusters($first: Int, $after: String, $filter: LoadbalancerClusterFilter) {
  loadbalancerClusters(first: $first, after: $after, filter: $filter) {
    totalCount
    edges { cursor node { id name generation agents { name generation haproxyVersion lastSeen } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
