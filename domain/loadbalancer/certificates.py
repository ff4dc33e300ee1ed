"""Certificates: a PEM chain and its private key, checked on upload and kept encrypted.

The key is encrypted with a key derived from the platform secret (Fernet: AES-128-CBC with an
HMAC), so a database dump alone does not give away the tenants' TLS keys.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError
from domain.identity.access import Principal
from domain.identity.models import Project
from domain.loadbalancer.errors import LoadbalancerErrorCode as Code
from domain.loadbalancer.models import LbCertificate, LbListener
from domain.scoping import get_for_change, get_visible
from domain.secrets import SecretBox
from domain.validation import check_name

MAX_PEM = 64 * 1024


@dataclass(frozen=True)
class ParsedCertificate:
    chain_pem: str
    key_pem: str
    common_name: str
    subject_alt_names: list[str]
    fingerprint_sha256: str
    not_before: datetime
    not_after: datetime


def _box(secret: str) -> SecretBox:
    return SecretBox(secret, b"nimbus lb certificate keys", "the key was sealed with another platform secret")


def encrypt_key(secret: str, key_pem: str) -> str:
    return _box(secret).seal(key_pem)


def decrypt_key(secret: str, token: str) -> str:
    try:
        return _box(secret).open(token)
    except ValueError:
        raise DomainError(
            Code.BAD_CERTIFICATE, "The certificate's key cannot be decrypted with this platform's secret"
        ) from None


def _bad(message: str, field: str = "certificate") -> DomainError:
    return DomainError(Code.BAD_CERTIFICATE, message, field)


def _public_bytes(key: object) -> bytes:
    return key.public_bytes(  # type: ignore[attr-defined, no-any-return]
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def parse(chain_pem: str, key_pem: str, now: datetime | None = None) -> ParsedCertificate:
    """Check that the chain parses, the key parses and matches the first certificate."""
    if len(chain_pem) > MAX_PEM or len(key_pem) > MAX_PEM:
        raise _bad("Certificates and keys are at most 64 KiB")
    try:
        chain = x509.load_pem_x509_certificates(chain_pem.encode())
    except ValueError:
        raise _bad("The certificate is not a PEM certificate chain") from None
    try:
        key = serialization.load_pem_private_key(key_pem.encode(), password=None)
    except (ValueError, TypeError):
        raise _bad("The private key is not an unencrypted PEM private key", "privateKey") from None
    if not isinstance(
        key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey
    ):
        raise _bad("Use an RSA, EC or EdDSA key", "privateKey")
    leaf = chain[0]
    if _public_bytes(key.public_key()) != _public_bytes(leaf.public_key()):
        raise _bad("The private key does not belong to the first certificate of the chain", "privateKey")
    if leaf.not_valid_after_utc <= (now or datetime.now(UTC)):
        raise _bad(f"The certificate expired on {leaf.not_valid_after_utc.isoformat()}")
    names = [a.value for a in leaf.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)]
    try:
        sans = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        alt = [str(v) for v in sans.get_values_for_type(x509.DNSName)] + [
            str(v) for v in sans.get_values_for_type(x509.IPAddress)
        ]
    except x509.ExtensionNotFound:
        alt = []
    pem = "".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in chain)
    return ParsedCertificate(
        chain_pem=pem,
        key_pem=key_pem.strip() + "\n",
        common_name=str(names[0]) if names else "",
        subject_alt_names=alt,
        fingerprint_sha256=leaf.fingerprint(hashes.SHA256()).hex(":").upper(),
        not_before=leaf.not_valid_before_utc,
        not_after=leaf.not_valid_after_utc,
    )


async def create_certificate(
    session: AsyncSession,
    principal: Principal,
    secret: str,
    *,
    name: str,
    project_id: uuid.UUID | None,
    certificate: str,
    private_key: str,
) -> LbCertificate:
    name = check_name(name)
    project = await get_visible(session, Project, principal, project_id or principal.project_id, field="projectId")
    principal.require("loadbalancer.certificate.create", domain_id=project.domain_id, project_id=project.id)
    parsed = parse(certificate, private_key)
    taken = await session.scalar(
        select(LbCertificate.id).where(LbCertificate.project_id == project.id, LbCertificate.name == name)
    )
    if taken is not None:
        raise DomainError(Code.DUPLICATE, f"A certificate named {name} exists in this project", "name")
    cert = LbCertificate(
        id=uuid.uuid4(),
        name=name,
        project_id=project.id,
        domain_id=project.domain_id,
        certificate=parsed.chain_pem,
        private_key_encrypted=encrypt_key(secret, parsed.key_pem),
        common_name=parsed.common_name,
        subject_alt_names=parsed.subject_alt_names,
        fingerprint_sha256=parsed.fingerprint_sha256,
        not_before=parsed.not_before,
        not_after=parsed.not_after,
    )
    session.add(cert)
    await session.flush()
    return cert


async def delete_certificate(session: AsyncSession, principal: Principal, cert_id: uuid.UUID) -> uuid.UUID:
    cert = await get_for_change(session, LbCertificate, principal, cert_id, "delete")
    used = await session.scalar(select(LbListener.id).where(LbListener.certificate_id == cert.id).limit(1))
    if used is not None:
        raise DomainError(Code.IN_USE, "A listener still terminates TLS with this certificate", "id")
    await session.delete(cert)
    return cert.id
