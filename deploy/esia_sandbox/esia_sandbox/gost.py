"""ESIA's own signature, as real ESIA makes it: GOST R 34.10-2012 with a 256-bit key over GOST R 34.11-2012
(Streebog-256), the JWT ``alg`` ``GOST3410_2012_256``; and the certificate ESIA hands its relying parties,
self-signed here (a new key at every start).

Signed by the journal's own development signer (``chassis.signing.GostSigner``, pure Python): a login costs
the sandbox two signatures, and the login storm benchmark runs it on the same machine as the journal. The
signature's bytes are laid out as OpenSSL's GOST engine lays them (``openssl dgst -md_gost12_256 -sign``:
s then r, big-endian, over the digest read little-endian), which is also a certificate's signature layout
(RFC 4491): the sandbox's tests have the engine verify both, so a fault of that signer shows here too.
"""

import base64
import secrets
from datetime import datetime

import gostcrypto.gostsignature

from chassis import signing

PARAMSET = "id-tc26-gost-3410-2012-256-paramSetA"
PARAMSET_OID = "1.2.643.7.1.2.1.1.1"
#: id-tc26-gost3410-12-256 (the key) and id-tc26-signwithdigest-gost3410-12-256 (the certificate's signature).
KEY_OID = "1.2.643.7.1.1.1.1"
SIGNATURE_OID = "1.2.643.7.1.1.3.2"
COMMON_NAME_OID = "2.5.4.3"
KEY_BYTES = 32


CURVE = gostcrypto.gostsignature.CURVES_R_1323565_1_024_2019[PARAMSET]


def _tlv(tag: int, content: bytes) -> bytes:
    size = len(content)
    length = (
        bytes([size])
        if size < 0x80
        else bytes([0x80 | ((size.bit_length() + 7) // 8)]) + size.to_bytes((size.bit_length() + 7) // 8, "big")
    )
    return bytes([tag]) + length + content


def _sequence(*parts: bytes) -> bytes:
    return _tlv(0x30, b"".join(parts))


def _oid(dotted: str) -> bytes:
    first, second, *rest = (int(arc) for arc in dotted.split("."))
    encoded = bytearray([40 * first + second])
    for arc in rest:
        chunk = [arc & 0x7F]
        while arc > 0x7F:
            arc >>= 7
            chunk.append(0x80 | (arc & 0x7F))
        encoded += bytes(reversed(chunk))
    return _tlv(0x06, bytes(encoded))


def _integer(value: int) -> bytes:
    return _tlv(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big"))


def _name(common_name: str) -> bytes:
    return _sequence(_tlv(0x31, _sequence(_oid(COMMON_NAME_OID), _tlv(0x0C, common_name.encode()))))


def _time(moment: datetime) -> bytes:
    return _tlv(0x17, moment.strftime("%y%m%d%H%M%SZ").encode())  # UTCTime: the years up to 2049


class GostKey:
    """ESIA's signing key: a fresh GOST R 34.10-2012 256-bit key (parameter set A of TC 26)."""

    def __init__(self) -> None:
        scalar = (secrets.randbelow(CURVE["q"] - 1) + 1).to_bytes(KEY_BYTES, "big")
        self._signer = signing.GostSigner(signing.GostKey(scalar=scalar, paramset=PARAMSET))

    def public_point(self) -> bytes:
        """x then y, big-endian."""
        return self._signer.public_key()

    def sign(self, message: bytes) -> bytes:
        return self._signer.sign(message)

    def certificate_pem(self, common_name: str, not_before: datetime, not_after: datetime) -> bytes:
        """A self-signed X.509 v3 certificate of this key, as ESIA publishes its own for relying parties."""
        point = self.public_point()
        # RFC 4491: the key is an OCTET STRING of x then y, each little-endian, inside the BIT STRING.
        key = _tlv(0x04, point[:KEY_BYTES][::-1] + point[KEY_BYTES:][::-1])
        key_info = _sequence(_sequence(_oid(KEY_OID), _sequence(_oid(PARAMSET_OID))), _tlv(0x03, b"\0" + key))
        algorithm = _sequence(_oid(SIGNATURE_OID))
        tbs = _sequence(
            _tlv(0xA0, _integer(2)),
            _integer(secrets.randbits(63)),
            algorithm,
            _name(common_name),
            _sequence(_time(not_before), _time(not_after)),
            _name(common_name),
            key_info,
        )
        der = _sequence(tbs, algorithm, _tlv(0x03, b"\0" + self.sign(tbs)))
        body = base64.encodebytes(der).decode().replace("\n", "")
        lines = "\n".join(body[at : at + 64] for at in range(0, len(body), 64))
        return f"-----BEGIN CERTIFICATE-----\n{lines}\n-----END CERTIFICATE-----\n".encode()
