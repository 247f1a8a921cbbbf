"""Detached signatures made for an outside party: ESIA's ``client_secret`` (R-2), later the archive.

One interface, ``Signer``: bytes in, the signature's bytes out. ``EcdsaSigner`` serves local
development with the ESIA sandbox; ``GostSigner`` is GOST R 34.10-2012 over Streebog-256 in
pure Python, for development and tests; ``CommandSigner`` hands the message to a certified
tool (CryptoPro ``cryptcp``/``csptest``, OpenSSL with the GOST engine) — the only signer the
production profile accepts, because ESIA requires certified cryptography.
"""

import base64
import functools
import re
import secrets
import shlex
import subprocess
from dataclasses import dataclass
from typing import Protocol

import gostcrypto.gosthash
import gostcrypto.gostsignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

#: A signing tool that has not answered by then is taken to be hung.
COMMAND_TIMEOUT_SECONDS = 10.0


class SigningError(Exception):
    """The signer could not sign (a broken key, a failing tool); nothing was sent."""


class Signer(Protocol):
    def sign(self, message: bytes) -> bytes:
        """The detached signature of ``message``."""
        ...


class EcdsaSigner:
    """ECDSA P-256 with SHA-256, DER-encoded: what the ESIA sandbox checks. Local development only."""

    def __init__(self, private_key_pem: bytes) -> None:
        key = serialization.load_pem_private_key(private_key_pem, password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise SigningError("the key must be an EC (P-256) private key")
        self._key = key

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message, ec.ECDSA(hashes.SHA256()))


class CommandSigner:
    """An external signing command: the message on its stdin, the signature's bytes on its stdout.

    The command line is split like a shell would split it but run without a shell, e.g.
    ``openssl cms -sign -engine gost -binary -noattr -outform DER -signer rp.pem -inkey rp.key``
    or CryptoPro's ``cryptcp -signf -detached ...`` behind a wrapper script.
    """

    def __init__(self, command: str, *, timeout: float = COMMAND_TIMEOUT_SECONDS) -> None:
        self.argv = shlex.split(command)
        if not self.argv:
            raise SigningError("the signing command is empty")
        self.timeout = timeout

    def sign(self, message: bytes) -> bytes:
        try:
            done = subprocess.run(self.argv, input=message, capture_output=True, timeout=self.timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise SigningError(f"the signing command did not run: {error}") from error
        if done.returncode != 0 or not done.stdout:
            raise SigningError(
                f"the signing command failed ({done.returncode}): {done.stderr.decode(errors='replace')}"
            )
        return done.stdout


#: GOST R 34.10-2012 256-bit parameter sets by OID, as gostcrypto names them (RFC 4357, Р 1323565.1.024-2019).
GOST_PARAMSETS = {
    "1.2.643.7.1.2.1.1.1": "id-tc26-gost-3410-2012-256-paramSetA",
    "1.2.643.2.2.35.1": "id-tc26-gost-3410-2012-256-paramSetB",  # CryptoPro-A
    "1.2.643.2.2.35.2": "id-tc26-gost-3410-2012-256-paramSetC",  # CryptoPro-B
    "1.2.643.2.2.35.3": "id-tc26-gost-3410-2012-256-paramSetD",  # CryptoPro-C
    "1.2.643.2.2.36.0": "id-tc26-gost-3410-2012-256-paramSetB",  # CryptoPro-XchA
    "1.2.643.2.2.36.1": "id-tc26-gost-3410-2012-256-paramSetD",  # CryptoPro-XchB
}
GOST_KEY_BYTES = 32


def _der(data: bytes) -> list[tuple[int, bytes]]:
    """The (tag, content) elements of a DER sequence's content: enough to read a PKCS#8 GOST key."""
    elements, at = [], 0
    while at < len(data):
        tag, length = data[at], data[at + 1]
        at += 2
        if length & 0x80:
            count = length & 0x7F
            length = int.from_bytes(data[at : at + count], "big")
            at += count
        elements.append((tag, data[at : at + length]))
        at += length
    return elements


def _oid(content: bytes) -> str:
    first, arcs, value = content[0], [], 0
    for byte in content[1:]:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    return ".".join(str(a) for a in (first // 40, first % 40, *arcs))


def _pem_der(pem: bytes) -> list[tuple[int, bytes]]:
    """The DER elements of a PEM block (its armour lines and spaces dropped)."""
    return _der(base64.b64decode(re.sub(rb"-----[A-Z ]+-----|\s", b"", pem)))


def _streebog256(message: bytes) -> bytearray:
    return bytearray(gostcrypto.gosthash.new("streebog256", data=message).digest())


@dataclass(frozen=True)
class GostKey:
    """A GOST R 34.10-2012 256-bit private key: its scalar (big-endian) and parameter set."""

    scalar: bytes
    paramset: str

    @classmethod
    def from_pem(cls, pem: bytes) -> "GostKey":
        """A PKCS#8 key as OpenSSL's GOST engine writes it.

        E.g. ``openssl genpkey -engine gost -algorithm gost2012_256 -pkeyopt paramset:A``.
        """
        try:
            (_, info), *_ = _pem_der(pem)
            _, (_, algorithm), (_, key) = _der(info)[:3]
            paramset = GOST_PARAMSETS[_oid(_der(_der(algorithm)[1][1])[0][1])]
        except (ValueError, KeyError, IndexError) as error:
            raise SigningError("not a GOST R 34.10-2012 (256-bit) private key in PKCS#8 PEM") from error
        if len(key) == GOST_KEY_BYTES:  # the engine's layout: the scalar little-endian
            scalar = key[::-1]
        else:  # a wrapped OCTET STRING (little-endian) or INTEGER (big-endian)
            tag, inner = _der(key)[0]
            scalar = inner[::-1] if tag == 0x04 else inner.lstrip(b"\0").rjust(GOST_KEY_BYTES, b"\0")
        return cls(scalar=scalar, paramset=paramset)


class GostSigner:
    """GOST R 34.10-2012 (256-bit key) over GOST R 34.11-2012 (Streebog-256), pure Python.

    The signature is laid out as OpenSSL's GOST engine lays it (``openssl dgst -md_gost12_256
    -sign``): s then r, big-endian, over the digest read little-endian; so a key can move to the
    certified command signer without the other side noticing. Development, tests and the ESIA sandbox
    only: Python's integers do not run in constant time, and the production profile refuses this signer.
    """

    def __init__(self, key: GostKey) -> None:
        self.key = key

    @classmethod
    def from_pem(cls, pem: bytes) -> "GostSigner":
        return cls(GostKey.from_pem(pem))

    def public_key(self) -> bytes:
        """x then y, big-endian (as ``openssl pkey -text`` prints them)."""
        p, _, _, _, base = _curve(self.key.paramset)
        x, y = _affine(_times(int.from_bytes(self.key.scalar, "big"), base, self.key.paramset), p)
        return x.to_bytes(GOST_KEY_BYTES, "big") + y.to_bytes(GOST_KEY_BYTES, "big")

    def sign(self, message: bytes) -> bytes:
        """GOST R 34.10-2012 §6.1 with the base point's table: about 1 ms, where gostcrypto's arithmetic took 32."""
        p, _, _, q, base = _curve(self.key.paramset)
        d = int.from_bytes(self.key.scalar, "big")
        e = int.from_bytes(_streebog256(message), "little") % q or 1
        while True:
            k = secrets.randbelow(q - 1) + 1
            r = _affine(_times(k, base, self.key.paramset), p)[0] % q
            s = (r * d + k * e) % q
            if r and s:
                return s.to_bytes(GOST_KEY_BYTES, "big") + r.to_bytes(GOST_KEY_BYTES, "big")


@functools.cache
def _curve(paramset: str) -> tuple[int, int, int, int, tuple[int, int]]:
    """p, a, b, q and the base point of the parameter set, in short Weierstrass form.

    gostcrypto holds them only as private attributes after converting the twisted Edwards sets; read once.
    """
    curve = gostcrypto.gostsignature.CURVES_R_1323565_1_024_2019[paramset]
    gost = gostcrypto.gostsignature.new(gostcrypto.gostsignature.MODE_256, curve)
    return gost._p, gost._a, gost._b, gost._q, (gost._x, gost._y)


#: A point in Jacobian coordinates (X, Y, Z): x = X/Z², y = Y/Z³; Z = 0 is the point at infinity.
_Jacobian = tuple[int, int, int]
_INFINITY: _Jacobian = (1, 1, 0)


def _double(point: _Jacobian, p: int, a: int) -> _Jacobian:
    x, y, z = point
    if z == 0 or y == 0:
        return _INFINITY
    yy = y * y % p
    s = 4 * x * yy % p
    m = (3 * x * x + a * pow(z, 4, p)) % p
    x3 = (m * m - 2 * s) % p
    return x3, (m * (s - x3) - 8 * yy * yy) % p, 2 * y * z % p


def _add(one: _Jacobian, two: _Jacobian, p: int, a: int) -> _Jacobian:
    if one[2] == 0:
        return two
    if two[2] == 0:
        return one
    (x1, y1, z1), (x2, y2, z2) = one, two
    z1z1, z2z2 = z1 * z1 % p, z2 * z2 % p
    u1, u2 = x1 * z2z2 % p, x2 * z1z1 % p
    s1, s2 = y1 * z2 * z2z2 % p, y2 * z1 * z1z1 % p
    if u1 == u2:
        return _double(one, p, a) if s1 == s2 else _INFINITY
    h, r = (u2 - u1) % p, (s2 - s1) % p
    hh = h * h % p
    hhh, v = h * hh % p, u1 * hh % p
    x3 = (r * r - hhh - 2 * v) % p
    return x3, (r * (v - x3) - s1 * hhh) % p, z1 * z2 * h % p


#: A 256-bit scalar in 4-bit windows.
_WINDOWS, _WINDOW_BITS = 64, 4


@functools.lru_cache(maxsize=16)
def _table(point: tuple[int, int], paramset: str) -> tuple[tuple[_Jacobian, ...], ...]:
    """``j·16ⁱ·point`` for each window i and digit j, affine (Z = 1). A product with a point used again and again
    (the base point; ESIA's key, the same for every login) is then 64 additions and no doubling."""
    p, a, *_ = _curve(paramset)
    rows, power = [], (*point, 1)
    for _ in range(_WINDOWS):
        row = [_INFINITY]
        for _ in range(2**_WINDOW_BITS - 1):
            row.append(_add(row[-1], power, p, a))
        rows.append(tuple(row[:1] + [(*_affine(r, p), 1) for r in row[1:]]))
        for _ in range(_WINDOW_BITS):
            power = _double(power, p, a)
    return tuple(rows)


def _times(scalar: int, point: tuple[int, int], paramset: str, total: _Jacobian = _INFINITY) -> _Jacobian:
    """``total + scalar·point`` for a scalar below 2²⁵⁶."""
    p, a, *_ = _curve(paramset)
    for row in _table(point, paramset):
        total = _add(total, row[scalar & 15], p, a)
        scalar >>= _WINDOW_BITS
    return total


def _affine(point: _Jacobian, p: int) -> tuple[int, int]:
    z = pow(point[2], -1, p)
    return point[0] * z * z % p, point[1] * z * z * z % p


def gost_verify(public_key: bytes, message: bytes, signature: bytes, paramset: str) -> bool:
    """Whether ``signature`` (OpenSSL's layout, see ``GostSigner``) over ``message`` is by ``public_key``.

    GOST R 34.10-2012 §6.2 computed here rather than by gostcrypto, whose affine arithmetic with a Python
    extended Euclid made a verification 65 ms of CPU (two a login): Jacobian coordinates and tables of the base
    point and of the key (``_table``), about 1 ms. Only public values are involved, so timing leaks nothing.
    """
    if len(signature) != 2 * GOST_KEY_BYTES or len(public_key) != 2 * GOST_KEY_BYTES:
        return False
    p, a, b, q, base = _curve(paramset)
    s, r = int.from_bytes(signature[:GOST_KEY_BYTES], "big"), int.from_bytes(signature[GOST_KEY_BYTES:], "big")
    if not (0 < r < q and 0 < s < q):
        return False
    key = (int.from_bytes(public_key[:GOST_KEY_BYTES], "big"), int.from_bytes(public_key[GOST_KEY_BYTES:], "big"))
    if (key[1] * key[1] - key[0] ** 3 - a * key[0] - b) % p:
        return False  # not a point of the curve: no key of this parameter set
    # The digest is read little-endian, as OpenSSL's engine reads it.
    e = int.from_bytes(_streebog256(message), "little") % q or 1
    v = pow(e, -1, q)
    total = _times(-r * v % q, key, paramset, _times(s * v % q, base, paramset))
    return total[2] != 0 and _affine(total, p)[0] % q == r


#: id-tc26-gost3410-12-256: a GOST R 34.10-2012 256-bit public key in a certificate.
GOST_2012_256_KEY_OID = "1.2.643.7.1.1.1.1"


@dataclass(frozen=True)
class GostPublicKey:
    """A GOST R 34.10-2012 256-bit public key: the point (x then y, big-endian) and its parameter set."""

    point: bytes
    paramset: str

    @classmethod
    def from_certificate(cls, pem: bytes) -> "GostPublicKey":
        """The key of an X.509 certificate (PEM) that carries a GOST R 34.10-2012 256-bit key, as ESIA's does."""
        try:
            (_, certificate), *_ = _pem_der(pem)
            (_, tbs), *_ = _der(certificate)
            fields = _der(tbs)
            # version [0] is optional; then serial, signature, issuer, validity, subject, the key.
            (_, key_info) = fields[6 if fields[0][0] == 0xA0 else 5]
            (_, algorithm), (_, bits) = _der(key_info)[:2]
            (_, key_oid), (_, parameters) = _der(algorithm)[:2]
            if _oid(key_oid) != GOST_2012_256_KEY_OID:
                raise SigningError("the certificate's key is not GOST R 34.10-2012 (256-bit)")
            paramset = GOST_PARAMSETS[_oid(_der(parameters)[0][1])]
            (tag, point), *_ = _der(bits[1:])  # a BIT STRING's first byte counts its unused bits
        except (ValueError, KeyError, IndexError) as error:
            raise SigningError("not an X.509 certificate (PEM) with a GOST R 34.10-2012 (256-bit) key") from error
        if tag != 0x04 or len(point) != 2 * GOST_KEY_BYTES:
            raise SigningError("the certificate's GOST key is not a 64-byte point")
        # The certificate holds x and y little-endian (RFC 4491).
        return cls(point=point[:GOST_KEY_BYTES][::-1] + point[GOST_KEY_BYTES:][::-1], paramset=paramset)

    def verify(self, message: bytes, signature: bytes) -> bool:
        return gost_verify(self.point, message, signature, self.paramset)
