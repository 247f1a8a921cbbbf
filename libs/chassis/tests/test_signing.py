"""Signers: the pure-Python GOST signer agrees with OpenSSL's GOST engine on known vectors, both ways."""

import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import gostcrypto.gosthash
import gostcrypto.gostsignature
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from chassis.signing import (
    GOST_PARAMSETS,
    CommandSigner,
    EcdsaSigner,
    GostKey,
    GostPublicKey,
    GostSigner,
    SigningError,
    gost_verify,
)

#: Made with Debian's libengine-gost-openssl 3.0.1:
#: ``openssl genpkey -engine gost -algorithm gost2012_256 -pkeyopt paramset:A`` (CryptoPro-A),
#: ``openssl dgst -engine gost -md_gost12_256 -sign key.pem msg``.
ENGINE_KEY = b"""-----BEGIN PRIVATE KEY-----
MEYCAQAwHwYIKoUDBwEBAQEwEwYHKoUDAgIjAQYIKoUDBwEBAgIEIClFlNaYQy5O
kH6oZW2Uu1DCsx29hLjU56AClIQS3DRU
-----END PRIVATE KEY-----
"""
ENGINE_PUBLIC_PEM = b"""-----BEGIN PUBLIC KEY-----
MGYwHwYIKoUDBwEBAQEwEwYHKoUDAgIjAQYIKoUDBwEBAgIDQwAEQGJjEZqEU+Rw
El1NuhD80dxcU92GDUFyhMo0GnGOwrspZLSuvIm02vlTuMuSBiXhF8Pfw/4BNvgG
J43Z/93rcEk=
-----END PUBLIC KEY-----
"""
#: ``openssl pkey -engine gost -text``: the private scalar and the public point.
ENGINE_SCALAR = "5434DC12849402A0E7D4B884BD1DB3C250BB946D65A87E904E2E4398D6944529"
ENGINE_PUBLIC = (
    "29BBC28E711A34CA8472410D86DD535CDCD1FC10BA4D5D1270E453849A116362"
    "4970EBDDFFD98D2706F83601FEC3DFC317E1250692CBB853F9DAB489BCAEB464"
)
MESSAGE = b"JOURNALopenid2026.11.29 20:00:00 +0300abc"
ENGINE_SIGNATURE = bytes.fromhex(
    "9f4e85fc427611818a685d435b9954c42cc54c290611d6c8d72d14c2c07a2d1d"
    "64db9fdc88e0e043b344ab91e46d7d81a712824071e7f2e7e03a0b70d1c8e595"
)
CRYPTOPRO_A = "id-tc26-gost-3410-2012-256-paramSetB"


#: ``openssl req -engine gost -x509 -new -key <ENGINE_KEY> -md_gost12_256 -subj "/CN=ESIA test vector"``: the
#: engine's certificate of that key, as ESIA hands its own to relying parties.
ENGINE_CERTIFICATE = b"""-----BEGIN CERTIFICATE-----
MIIBlTCCAUCgAwIBAgIUWeyaRcwhqaD/01lYiAh8NlPr3i4wDAYIKoUDBwEBAwIF
ADAbMRkwFwYDVQQDDBBFU0lBIHRlc3QgdmVjdG9yMB4XDTI2MTIwNDE2NTYzMloX
DTM2MTIwMTE2NTYzMlowGzEZMBcGA1UEAwwQRVNJQSB0ZXN0IHZlY3RvcjBmMB8G
CCqFAwcBAQEBMBMGByqFAwICIwEGCCqFAwcBAQICA0MABEBiYxGahFPkcBJdTboQ
/NHcXFPdhg1BcoTKNBpxjsK7KWS0rryJtNr5U7jLkgYl4RfD38P+ATb4BieN2f/d
63BJo1MwUTAdBgNVHQ4EFgQU96MrA6mvPBfEwRcw32Lg/RHVtQEwHwYDVR0jBBgw
FoAU96MrA6mvPBfEwRcw32Lg/RHVtQEwDwYDVR0TAQH/BAUwAwEB/zAMBggqhQMH
AQEDAgUAA0EAqsnyCpej+qf5xmgb6F76TqiJ+4EI0r9BF+E8kd/Qn3p6iGE3P38v
mh9uprxTzYkoaRohYwtz1zQUt1drYZkrZQ==
-----END CERTIFICATE-----
"""


def test_the_key_of_an_engine_certificate_is_read_and_verifies_the_engines_signature():
    key = GostPublicKey.from_certificate(ENGINE_CERTIFICATE)
    assert key.point.hex().upper() == ENGINE_PUBLIC
    assert key.paramset == CRYPTOPRO_A
    assert key.verify(MESSAGE, ENGINE_SIGNATURE)
    assert not key.verify(MESSAGE + b"x", ENGINE_SIGNATURE)
    assert not key.verify(MESSAGE, b"\0" * 64)  # r = s = 0: out of range, no signature


def test_a_certificate_without_a_gost_key_is_refused():
    ecdsa = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "not ESIA")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(ecdsa.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=1))
        .sign(ecdsa, hashes.SHA256())
    )
    with pytest.raises(SigningError, match="not GOST"):
        GostPublicKey.from_certificate(certificate.public_bytes(serialization.Encoding.PEM))
    with pytest.raises(SigningError):
        GostPublicKey.from_certificate(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")


def test_the_engine_key_is_read_with_its_parameter_set():
    key = GostKey.from_pem(ENGINE_KEY)
    assert key.scalar.hex().upper() == ENGINE_SCALAR
    assert key.paramset == CRYPTOPRO_A
    assert GostSigner(key).public_key().hex().upper() == ENGINE_PUBLIC


def test_a_signature_of_the_engine_verifies_here():
    public = bytes.fromhex(ENGINE_PUBLIC)
    assert gost_verify(public, MESSAGE, ENGINE_SIGNATURE, CRYPTOPRO_A)
    assert not gost_verify(public, MESSAGE + b"x", ENGINE_SIGNATURE, CRYPTOPRO_A)
    assert not gost_verify(public, MESSAGE, ENGINE_SIGNATURE[32:] + ENGINE_SIGNATURE[:32], CRYPTOPRO_A)


def test_signatures_made_here_verify_and_differ_each_time():
    signer = GostSigner.from_pem(ENGINE_KEY)
    first, second = signer.sign(MESSAGE), signer.sign(MESSAGE)
    assert first != second  # a fresh random k per signature
    for signature in (first, second):
        assert gost_verify(signer.public_key(), MESSAGE, signature, CRYPTOPRO_A)


@pytest.mark.parametrize("paramset", sorted(set(GOST_PARAMSETS.values())))
def test_gostcrypto_verifies_what_we_sign_on_every_parameter_set(paramset: str):
    """Our signer and its public key against an implementation of the standard that shares no code with ours."""
    gost = gostcrypto.gostsignature.new(
        gostcrypto.gostsignature.MODE_256, gostcrypto.gostsignature.CURVES_R_1323565_1_024_2019[paramset]
    )
    signer = GostSigner(GostKey(scalar=bytes.fromhex(ENGINE_SCALAR), paramset=paramset))
    public = signer.public_key()
    assert public == bytes(gost.public_key_generate(bytearray(bytes.fromhex(ENGINE_SCALAR))))
    digest = bytearray(gostcrypto.gosthash.new("streebog256", data=MESSAGE).digest())[::-1]
    signature = signer.sign(MESSAGE)
    r_s = bytearray(signature[32:] + signature[:32])  # gostcrypto's layout: r then s
    assert gost.verify(bytearray(public), digest, r_s)
    assert not gost.verify(bytearray(public), bytearray(digest[:-1] + bytes([digest[-1] ^ 1])), r_s)


@pytest.mark.parametrize("paramset", sorted(set(GOST_PARAMSETS.values())))
def test_the_verifier_agrees_with_gostcrypto_on_every_parameter_set(paramset: str):
    """Our verification against gostcrypto's signatures (set A is twisted Edwards, converted), and its refusals."""
    gost = gostcrypto.gostsignature.new(
        gostcrypto.gostsignature.MODE_256, gostcrypto.gostsignature.CURVES_R_1323565_1_024_2019[paramset]
    )
    scalar = bytes.fromhex(ENGINE_SCALAR)
    public = bytes(gost.public_key_generate(bytearray(scalar)))
    digest = bytearray(gostcrypto.gosthash.new("streebog256", data=MESSAGE).digest())[::-1]
    r_s = bytes(gost.sign(bytearray(scalar), digest))
    signature = r_s[32:] + r_s[:32]  # OpenSSL's layout: s then r
    assert gost_verify(public, MESSAGE, signature, paramset)
    assert not gost_verify(public, MESSAGE + b".", signature, paramset)
    flipped = bytearray(signature)
    flipped[40] ^= 1
    assert not gost_verify(public, MESSAGE, bytes(flipped), paramset)
    zero_r, zero_s = signature[:32] + bytes(32), bytes(32) + signature[32:]
    assert not gost_verify(public, MESSAGE, zero_r, paramset) and not gost_verify(public, MESSAGE, zero_s, paramset)
    beyond_q = b"\xff" * 32
    assert not gost_verify(public, MESSAGE, beyond_q + signature[32:], paramset)
    off_curve = public[:63] + bytes([public[63] ^ 1])
    assert not gost_verify(off_curve, MESSAGE, signature, paramset)


def test_not_a_gost_key_is_refused():
    ecdsa = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(SigningError):
        GostKey.from_pem(ecdsa)


def _engine_available() -> bool:
    if shutil.which("openssl") is None:
        return False
    probe = subprocess.run(["openssl", "engine", "gost"], capture_output=True, check=False)
    return probe.returncode == 0


@pytest.mark.skipif(not _engine_available(), reason="OpenSSL's GOST engine (libengine-gost-openssl) is not installed")
def test_the_engine_verifies_a_signature_made_here(tmp_path: Path):
    (tmp_path / "pub.pem").write_bytes(ENGINE_PUBLIC_PEM)
    (tmp_path / "msg").write_bytes(MESSAGE)
    (tmp_path / "sig").write_bytes(GostSigner.from_pem(ENGINE_KEY).sign(MESSAGE))
    verified = subprocess.run(
        ["openssl", "dgst", "-engine", "gost", "-md_gost12_256", "-verify", "pub.pem", "-signature", "sig", "msg"],
        cwd=tmp_path,
        capture_output=True,
        check=False,
    )
    assert verified.returncode == 0 and b"Verified OK" in verified.stdout


@pytest.mark.skipif(not _engine_available(), reason="OpenSSL's GOST engine (libengine-gost-openssl) is not installed")
def test_the_command_signer_with_the_engine_signs_what_verifies_here(tmp_path: Path):
    (tmp_path / "key.pem").write_bytes(ENGINE_KEY)
    signer = CommandSigner(f"openssl dgst -engine gost -md_gost12_256 -sign {tmp_path / 'key.pem'}")
    assert gost_verify(bytes.fromhex(ENGINE_PUBLIC), MESSAGE, signer.sign(MESSAGE), CRYPTOPRO_A)


def test_the_command_signer_passes_the_message_and_returns_the_bytes():
    key = ec.generate_private_key(ec.SECP256R1())
    echo = CommandSigner(f"{sys.executable} -c 'import sys; sys.stdout.buffer.write(sys.stdin.buffer.read()[::-1])'")
    assert echo.sign(b"abc") == b"cba"
    signature = EcdsaSigner(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    ).sign(b"abc")
    key.public_key().verify(signature, b"abc", ec.ECDSA(hashes.SHA256()))


def test_a_failing_command_is_a_signing_error():
    with pytest.raises(SigningError, match="failed"):
        CommandSigner(f"{sys.executable} -c 'import sys; sys.exit(3)'").sign(b"abc")
    with pytest.raises(SigningError, match="did not run"):
        CommandSigner("/nonexistent/signer").sign(b"abc")
