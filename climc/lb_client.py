"""The load balancer part of the Python SDK: `LoadbalancerApi(client).create(...)` and so on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from climc import lb_documents as d
from climc.client import JSON, NimbusClient, _compact


class LoadbalancerApi:
    """Load balancers, listeners, rules, backend groups, backends, certificates and ACLs.

    Changes return their payload: the object and the `task` deploying it to the cluster.
    """

    def __init__(self, client: NimbusClient) -> None:
        self.client = client

    def _page(self, document: str, key: str, first: int, after: str | None, filter: Mapping[str, Any] | None) -> JSON:
        return self.client._connection(document, key, first, after, filter)

    def _change(self, document: str, key: str, fields: Mapping[str, Any]) -> JSON:
        return self.client.mutate(document, {"input": _compact(fields)}, key)

    def loadbalancers(self, first: int = 50, after: str | None = None, filter: Mapping[str, Any] | None = None) -> JSON:
        return self._page(d.LOADBALANCERS, "loadbalancers", first, after, filter)

    def loadbalancer(self, loadbalancer_id: str) -> JSON:
        return self.client._node(d.LOADBALANCER, "Loadbalancer", loadbalancer_id)

    def clusters(self, first: int = 50, after: str | None = None, filter: Mapping[str, Any] | None = None) -> JSON:
        return self._page(d.CLUSTERS, "loadbalancerClusters", first, after, filter)

    def certificates(self, first: int = 50, after: str | None = None, filter: Mapping[str, Any] | None = None) -> JSON:
        return self._page(d.CERTIFICATES, "loadbalancerCertificates", first, after, filter)

    def acls(self, first: int = 50, after: str | None = None, filter: Mapping[str, Any] | None = None) -> JSON:
        return self._page(d.ACLS, "loadbalancerAcls", first, after, filter)

    def create(self, name: str, **fields: Any) -> JSON:
        return self._change(d.LOADBALANCER_CREATE, "loadbalancerCreate", {"name": name, **fields})

    def delete(self, loadbalancer_id: str) -> JSON:
        return self._change(d.LOADBALANCER_DELETE, "loadbalancerDelete", {"id": loadbalancer_id})

    def listener_create(self, loadbalancer_id: str, protocol: str, port: int, **fields: Any) -> JSON:
        values = {"loadbalancerId": loadbalancer_id, "protocol": protocol, "port": port, **fields}
        return self._change(d.LISTENER_CREATE, "loadbalancerListenerCreate", values)

    def listener_update(self, listener_id: str, **fields: Any) -> JSON:
        return self._change(d.LISTENER_UPDATE, "loadbalancerListenerUpdate", {"id": listener_id, **fields})

    def listener_delete(self, listener_id: str) -> JSON:
        return self._change(d.LISTENER_DELETE, "loadbalancerListenerDelete", {"id": listener_id})

    def rule_create(self, listener_id: str, backend_group_id: str, host: str | None, path: str | None) -> JSON:
        values = {"listenerId": listener_id, "backendGroupId": backend_group_id, "host": host, "path": path}
        return self._change(d.RULE_CREATE, "loadbalancerListenerRuleCreate", values)

    def rule_delete(self, rule_id: str) -> JSON:
        return self._change(d.RULE_DELETE, "loadbalancerListenerRuleDelete", {"id": rule_id})

    def group_create(self, loadbalancer_id: str, name: str, health_check: Mapping[str, Any]) -> JSON:
        values = {"loadbalancerId": loadbalancer_id, "name": name, "healthCheck": _compact(health_check) or None}
        return self._change(d.GROUP_CREATE, "loadbalancerBackendGroupCreate", values)

    def group_delete(self, group_id: str) -> JSON:
        return self._change(d.GROUP_DELETE, "loadbalancerBackendGroupDelete", {"id": group_id})

    def backend_create(self, group_id: str, port: int, **fields: Any) -> JSON:
        values = {"backendGroupId": group_id, "port": port, **fields}
        return self._change(d.BACKEND_CREATE, "loadbalancerBackendCreate", values)

    def backend_update(self, backend_id: str, **fields: Any) -> JSON:
        return self._change(d.BACKEND_UPDATE, "loadbalancerBackendUpdate", {"id": backend_id, **fields})

    def backend_delete(self, backend_id: str) -> JSON:
        return self._change(d.BACKEND_DELETE, "loadbalancerBackendDelete", {"id": backend_id})

    def certificate_create(self, name: str, certificate: str, private_key: str, project_id: str | None = None) -> JSON:
        values = {"name": name, "certificate": certificate, "privateKey": private_key, "projectId": project_id}
        return dict(self._change(d.CERTIFICATE_CREATE, "loadbalancerCertificateCreate", values)["certificate"])

    def certificate_delete(self, certificate_id: str) -> str:
        return str(
            self._change(d.CERTIFICATE_DELETE, "loadbalancerCertificateDelete", {"id": certificate_id})["deletedId"]
        )

    def acl_create(self, name: str, cidrs: list[str], project_id: str | None = None) -> JSON:
        values = {"name": name, "cidrs": cidrs, "projectId": project_id}
        return dict(self._change(d.ACL_CREATE, "loadbalancerAclCreate", values)["acl"])

    def acl_delete(self, acl_id: str) -> str:
        return str(self._change(d.ACL_DELETE, "loadbalancerAclDelete", {"id": acl_id})["deletedId"])
