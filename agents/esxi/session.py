"""A pyvmomi session to one account that signs in again when vCenter forgets it."""

from __future__ import annotations

import logging
import ssl
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from pyVmomi import VmomiSupport, vim, vmodl
from pyVmomi.SoapAdapter import SoapStubAdapter

from agents.esxi.protocol import AccountConf, open_password

log = logging.getLogger("nimbus.agent.esxi")
T = TypeVar("T")
CONNECT_TIMEOUT_S = 10


class VsphereError(Exception):
    """A failure to report to the user, with vSphere's own message when there is one."""


def fault_message(exc: Any) -> str:
    """vSphere's message for a fault, a task's LocalizedMethodFault, or any other exception."""
    inner = getattr(exc, "fault", None)
    if inner is not None and not getattr(exc, "localizedMessage", None):
        return fault_message(inner)
    msg = getattr(exc, "msg", None) or getattr(exc, "localizedMessage", None)
    if isinstance(exc, vmodl.MethodFault) and not msg:
        faults = getattr(exc, "faultMessage", None) or []
        msg = "; ".join(m.message for m in faults if getattr(m, "message", None))
    if not msg and not isinstance(exc, vmodl.MethodFault):
        msg = f"{exc.__class__.__name__}: {exc}" if str(exc) else exc.__class__.__name__
    return str(msg or exc.__class__.__name__)


class Session:
    """One signed-in service instance; `call` retries once after NotAuthenticated."""

    def __init__(self, conf: AccountConf, platform_secret: str) -> None:
        self.conf = conf
        self._secret = platform_secret
        self._si: Any = None
        self._lock = threading.Lock()
        self.logins = 0

    @property
    def si(self) -> Any:
        with self._lock:
            if self._si is None:
                self._si = self._login()
            return self._si

    def _login(self) -> Any:
        protocol, host, port = self.conf.address
        password = open_password(self._secret, self.conf.password_sealed)
        # A stub of our own rather than SmartConnect, so a refused sign-in closes its connection.
        stub = SoapStubAdapter(
            host,
            -port if protocol == "http" else port,  # pyVmomi's way of asking for plain HTTP
            version=VmomiSupport.newestVersions.GetName("vim"),
            path="/sdk",
            httpConnectionTimeout=CONNECT_TIMEOUT_S,
            sslContext=ssl._create_unverified_context() if protocol == "https" else None,
        )
        si = vim.ServiceInstance("ServiceInstance", stub)
        try:
            manager: Any = si.content.sessionManager
            manager.Login(self.conf.username, password)
        except vim.fault.InvalidLogin as exc:
            stub.DropConnections()
            raise VsphereError(f"{self.conf.endpoint} refused the sign-in: {fault_message(exc)}") from None
        except (OSError, vim.fault.HostConnectFault) as exc:
            stub.DropConnections()
            reason = getattr(exc, "strerror", None) or fault_message(exc)
            raise VsphereError(f"cannot reach {self.conf.endpoint}: {reason}") from None
        except BaseException:
            stub.DropConnections()
            raise
        self.logins += 1
        return si

    def forget(self) -> None:
        """Drop the session (vCenter expired it); the next use signs in again."""
        with self._lock:
            si, self._si = self._si, None
        if si is not None:
            si._stub.DropConnections()

    def call(self, fn: Callable[[Any], T]) -> T:
        try:
            return fn(self.si)
        except vim.fault.NotAuthenticated:
            log.info("session to %s expired; signing in again", self.conf.endpoint)
            self.forget()
            return fn(self.si)

    @property
    def content(self) -> Any:
        return self.si.RetrieveContent()

    def session_key(self) -> str:
        return str(self.si.content.sessionManager.currentSession.key)

    def close(self) -> None:
        with self._lock:
            si, self._si = self._si, None
        if si is not None:
            try:
                si.content.sessionManager.Logout()
            except Exception:  # the session may be gone already; closing is best effort
                log.debug("logout failed", exc_info=True)
            si._stub.DropConnections()
