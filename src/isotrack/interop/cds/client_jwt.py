"""Verifying the JWT a CDS client signs for each call (CDS Hooks 2.0, "Trusting CDS Clients").

Checked, in this order, each failure with its own sentence: a bearer JWT is present; its
header names an allowed asymmetric algorithm (ES384 or RS384; never ``none``, never HMAC) and
a ``kid``; ``iss`` is a registered client; its JWKS holds that ``kid``; the signature; ``aud``
is the exact URL called (a string or a list); ``exp``, ``iat`` and ``jti`` are present and
``exp`` has not passed. Whether the ``jti`` was seen before is the caller's last check: the
service notes it in the store, in the same transaction as the call's access-log row.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import jwt
from jwt import PyJWKSet

ALLOWED_ALGORITHMS = ("ES384", "RS384")
CLOCK_SKEW_SECONDS = 30
MAX_TOKEN_CHARS = 8192
MAX_JTI_CHARS = 255


class TokenRejected(Exception):
    """The call is not from a trusted client; ``str(exc)`` says why, for the 401 body."""


REPLAYED = "This JWT was already used (jti replayed); sign a new one per call."


@dataclass(frozen=True)
class VerifiedClient:
    issuer: str
    subject: str | None
    jti: str
    key_id: str
    tenant: str | None
    # when the token can no longer pass its ``exp`` check: its ``jti`` note may go after that
    keep_until: float


def bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise TokenRejected(
            "A signed JWT is required: send 'Authorization: Bearer <JWT>' signed by a key in "
            "your registered JWKS (CDS Hooks 2.0, trusting CDS clients)."
        )
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise TokenRejected("The Authorization header must be 'Bearer <JWT>'.")
    if len(token) > MAX_TOKEN_CHARS:
        raise TokenRejected(f"The bearer token is longer than {MAX_TOKEN_CHARS} characters.")
    return token.strip()


def _segment(part: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def _unverified(token: str) -> tuple[Mapping[str, Any], str]:
    """The header and the ``iss`` claim, read before the signature is checked, only to choose
    the key: PyJWT then checks the whole token (its strict decoding included) with that key.
    """
    parts = token.split(".")
    try:
        header, claims = _segment(parts[0]), _segment(parts[1])
        if len(parts) != 3 or not isinstance(header, dict):
            raise ValueError("not three segments with a JSON header")
    except (ValueError, IndexError):  # binascii.Error and JSONDecodeError are ValueErrors
        raise TokenRejected(
            "The bearer token is not a JWT. CDS Hooks 2.0 requires a JWT signed by the CDS "
            "client (an EHR's own access token, as Medplum sends, is not accepted here)."
        ) from None
    alg = header.get("alg")
    if alg not in ALLOWED_ALGORITHMS:
        allowed = " or ".join(ALLOWED_ALGORITHMS)
        raise TokenRejected(f"The JWT is signed with alg {alg!r}; isotrack accepts {allowed}.")
    if not isinstance(header.get("kid"), str) or not header["kid"]:
        raise TokenRejected("The JWT header has no 'kid': name the key that signed it.")
    issuer = claims.get("iss") if isinstance(claims, Mapping) else None
    if not isinstance(issuer, str) or not issuer:
        raise TokenRejected("The JWT has no 'iss' claim naming the CDS client.")
    return header, issuer


_PARSED_KEPT = 64
_parsed: dict[int, tuple[Mapping[str, Any], PyJWKSet]] = {}
_parsed_lock = threading.Lock()


def _key_set(jwks: Mapping[str, Any], issuer: str) -> PyJWKSet:
    """The JWKS parsed into keys, once per JWKS document (the caller keeps the document for
    a few minutes; parsing it costs more than checking a signature)."""
    with _parsed_lock:
        kept = _parsed.get(id(jwks))
    if kept is not None and kept[0] is jwks:
        return kept[1]
    try:
        keys = PyJWKSet.from_dict(dict(jwks))
    except jwt.PyJWKSetError:
        raise TokenRejected(f"The registered JWKS of {issuer!r} holds no usable key.") from None
    with _parsed_lock:
        if len(_parsed) >= _PARSED_KEPT:
            _parsed.clear()
        _parsed[id(jwks)] = (jwks, keys)  # the document is held, so its id is not reused
    return keys


def _key(jwks: Mapping[str, Any], kid: str, alg: str, issuer: str) -> Any:
    keys = _key_set(jwks, issuer)
    for entry in jwks.get("keys", []):
        if isinstance(entry, Mapping) and entry.get("kid") == kid and entry.get("alg", alg) != alg:
            raise TokenRejected(f"Key {kid!r} of {issuer!r} is registered for {entry['alg']}.")
    for key in keys.keys:
        if key.key_id == kid:
            # The raw key, so the algorithm checked is the header's (RS384), not PyJWT's
            # default for a JWK without "alg" (RS256).
            return key.key
    raise TokenRejected(f"No key with kid {kid!r} in the registered JWKS of {issuer!r}.")


def verify_client_jwt(
    authorization: str | None,
    audience: str,
    jwks_of: Callable[[str], Mapping[str, Any] | None],
) -> VerifiedClient:
    """The client that signed this call, else :class:`TokenRejected` saying why; the
    ``jti`` is still to be noted (:data:`REPLAYED` is the refusal when it was used before).

    ``jwks_of(issuer)`` is the registered client's JWKS, None for an unknown issuer.
    """
    token = bearer_token(authorization)
    header, issuer = _unverified(token)
    jwks = jwks_of(issuer)
    if jwks is None:
        raise TokenRejected(
            f"Issuer {issuer!r} is not a registered CDS client (isotrack cds-client add)."
        )
    key = _key(jwks, str(header["kid"]), str(header["alg"]), issuer)
    try:
        claims = jwt.decode(
            token, key=key, algorithms=[str(header["alg"])], audience=audience, issuer=issuer,
            leeway=CLOCK_SKEW_SECONDS,
            options={"require": ["iss", "aud", "exp", "iat", "jti"]},
        )  # fmt: skip
    except jwt.ExpiredSignatureError:
        raise TokenRejected("The JWT has expired (exp is in the past).") from None
    except jwt.InvalidAudienceError:
        raise TokenRejected(f"The JWT's aud must be the URL called: {audience}") from None
    except jwt.MissingRequiredClaimError as exc:
        raise TokenRejected(f"The JWT lacks the required claim {exc.claim!r}.") from None
    except jwt.InvalidSignatureError:
        raise TokenRejected(
            "The JWT's signature does not verify with the registered key."
        ) from None
    except (jwt.InvalidTokenError, TypeError, ValueError) as exc:
        raise TokenRejected(f"The JWT is not valid: {exc}.") from None
    jti = str(claims["jti"])
    if not jti or len(jti) > MAX_JTI_CHARS:
        raise TokenRejected(f"The JWT's jti must be 1 to {MAX_JTI_CHARS} characters.")
    return VerifiedClient(
        issuer=issuer,
        subject=claims.get("sub") if isinstance(claims.get("sub"), str) else None,
        jti=jti,
        key_id=str(header["kid"]),
        tenant=claims.get("tenant") if isinstance(claims.get("tenant"), str) else None,
        keep_until=float(claims["exp"]) + CLOCK_SKEW_SECONDS,
    )
