"""The class board's two tokens: the class code a lecturer writes on a slide (public), and the
lecturer key (secret). Plain standard library, so urlstate can validate both.

The code is 6 characters from an alphabet without look-alikes (no 0/O, 1/I/L, U/V): easy to
read off a projector and type. The key is 192 random bits (`secrets`), independent of the code,
and only its SHA-256 is ever stored; a key is checked with a constant-time comparison.
"""

import hashlib
import hmac
import re
import secrets

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"
CODE_LENGTH = 6
KEY_BYTES = 24                      # 192 bits; token_urlsafe makes 32 characters of them
KEY_LENGTH = 32
_KEY = re.compile(rf"[A-Za-z0-9_-]{{{KEY_LENGTH}}}")


def new_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def new_key():
    return secrets.token_urlsafe(KEY_BYTES)


def key_hash(key):
    """SHA-256 of the key, hex: what the store keeps instead of the key."""
    return hashlib.sha256(key.encode("ascii")).hexdigest()


def key_matches(key, stored_hash):
    """Whether `key` is the key whose hash is `stored_hash` (constant time)."""
    if not is_key(key):
        return False
    return hmac.compare_digest(key_hash(key), stored_hash)


def parse_code(text):
    """A class code as typed (any case, spaces and dashes allowed) -> the code; ValueError if
    it cannot be one."""
    code = re.sub(r"[\s-]", "", str(text)).upper()
    if len(code) != CODE_LENGTH or not set(code) <= set(CODE_ALPHABET):
        raise ValueError(f"must be {CODE_LENGTH} characters from {CODE_ALPHABET}")
    return code


def is_key(text):
    return isinstance(text, str) and _KEY.fullmatch(text) is not None


def parse_key(text):
    if not is_key(text):
        raise ValueError("is not a lecturer key")
    return text
