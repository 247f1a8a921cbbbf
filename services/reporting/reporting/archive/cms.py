"""Detached CMS (PKCS #7) signatures with GOST R 34.10-2012 / 34.11-2012 OIDs, assembled with asn1crypto.

The signature itself comes from the chassis's ``Signer`` (``GostSigner`` here, the certified
``CommandSigner`` in production): no signed attributes, so the signature is over the content's
bytes exactly, as ``openssl cms -sign -noattr -binary`` makes it and ``openssl cms -verify -binary``
with Debian's GOST engine (libengine-gost-openssl) checks it.
"""

from dataclasses import dataclass

from asn1crypto import algos, cms, core, pem, x509

from chassis.signing import GOST_PARAMSETS, Signer, gost_verify

#: id-tc26-gost3411-12-256 (Streebog-256) and id-tc26-gost3410-12-256 (the signature key).
STREEBOG_256 = "1.2.643.7.1.1.2.2"
GOST_2012_256 = "1.2.643.7.1.1.1.1"


class SignatureInvalid(Exception):
    """Not a signature we can read, or one that does not match the content."""


def load_certificate(data: bytes) -> x509.Certificate:
    """A certificate in PEM or DER."""
    if pem.detect(data):
        _, _, data = pem.unarmor(data)
    return x509.Certificate.load(data)


def sign_detached(content: bytes, signer: Signer, certificate: x509.Certificate) -> bytes:
    """The DER ContentInfo of a SignedData over ``content`` (not included), with the signer's certificate."""
    signer_info = cms.SignerInfo(
        {
            "version": "v1",
            "sid": cms.SignerIdentifier(
                {
                    "issuer_and_serial_number": cms.IssuerAndSerialNumber(
                        {"issuer": certificate.issuer, "serial_number": certificate.serial_number}
                    )
                }
            ),
            "digest_algorithm": algos.DigestAlgorithm({"algorithm": STREEBOG_256}),
            "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": GOST_2012_256}),
            "signature": signer.sign(content),
        }
    )
    signed_data = cms.SignedData(
        {
            "version": "v1",
            "digest_algorithms": [algos.DigestAlgorithm({"algorithm": STREEBOG_256})],
            "encap_content_info": {"content_type": "data"},
            "certificates": [certificate],
            "signer_infos": [signer_info],
        }
    )
    return cms.ContentInfo({"content_type": "signed_data", "content": signed_data}).dump()


@dataclass(frozen=True)
class Signed:
    """Who signed: the certificate's subject as people read it."""

    subject: str
    serial_number: int


def _public_key(certificate: x509.Certificate) -> tuple[bytes, str]:
    """The GOST public key (x then y, big-endian) and its parameter set's name."""
    # asn1crypto knows no GOST keys, so the SubjectPublicKeyInfo is read as plain DER.
    spki = core.Sequence.load(certificate["tbs_certificate"]["subject_public_key_info"].dump())
    algorithm = core.Sequence.load(spki[0].dump())
    paramset_oid = core.ObjectIdentifier.load(core.Sequence.load(algorithm[1].dump())[0].dump()).dotted
    key = core.OctetString.load(core.OctetBitString.load(spki[1].dump()).native).native
    half = len(key) // 2
    return key[:half][::-1] + key[half:][::-1], GOST_PARAMSETS[paramset_oid]


def verify_detached(content: bytes, signature: bytes) -> Signed:
    """Check ``signature`` (DER CMS) over ``content`` by the certificate it carries; ``SignatureInvalid`` if not.

    Whether that certificate is the school's is the caller's question (``openssl cms -verify -CAfile``
    answers it against the region's trust list).
    """
    try:
        info = cms.ContentInfo.load(signature)
        signed = info["content"]
        certificate = signed["certificates"][0].chosen
        signer_info = signed["signer_infos"][0]
        if signer_info["signature_algorithm"]["algorithm"].dotted != GOST_2012_256:
            raise SignatureInvalid("the signature is not GOST R 34.10-2012 (256)")
        public_key, paramset = _public_key(certificate)
        value = signer_info["signature"].native
    except (ValueError, TypeError, KeyError, IndexError) as error:
        raise SignatureInvalid(f"not a readable CMS signature: {error}") from error
    if not gost_verify(public_key, content, value, paramset):
        raise SignatureInvalid("the signature does not match the content")
    return Signed(certificate.subject.human_friendly, certificate.serial_number)
