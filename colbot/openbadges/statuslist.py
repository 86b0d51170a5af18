"""W3C Bitstring Status List bits: how an OB 3.0 issuer revokes a badge without a lookup each."""

from __future__ import annotations

import gzip
import zlib

from colbot.openbadges.errors import BadgeError
from colbot.openbadges.multibase import b64url_decode, encode_base64url

MIN_STATUS_LIST_BYTES = 16 * 1024  # the spec's minimum: 131,072 entries, for herd privacy
MAX_STATUS_LIST_BYTES = 10 * 1024 * 1024  # refuse to inflate anything larger
BITS_PER_BYTE = 8
GZIP_MAGIC_BASE64 = "H4sI"
GZIP_WINDOW = 16 + zlib.MAX_WBITS


def new_bitstring(size_bytes: int = MIN_STATUS_LIST_BYTES) -> bytes:
    """An all-clear bitstring of at least the spec's minimum size."""
    if size_bytes < MIN_STATUS_LIST_BYTES:
        raise BadgeError(f"a status list must be at least {MIN_STATUS_LIST_BYTES} bytes")
    return bytes(size_bytes)


def _locate(bits: bytes, index: int) -> tuple[int, int]:
    """Byte offset and mask for an index; index 0 is the left-most bit of the first byte."""
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise BadgeError(f"status list index must be a non-negative integer, got {index!r}")
    offset, bit = divmod(index, BITS_PER_BYTE)
    if offset >= len(bits):
        raise BadgeError(f"status list index {index} is beyond a list of {len(bits) * 8} entries")
    return offset, 0x80 >> bit


def status_bit(bits: bytes, index: int) -> bool:
    """Whether the status at index is set (for revocation: revoked)."""
    offset, mask = _locate(bits, index)
    return bool(bits[offset] & mask)


def with_status_bit(bits: bytes, index: int, value: bool = True) -> bytes:
    """A copy of the bitstring with one status set or cleared."""
    offset, mask = _locate(bits, index)
    changed = bytearray(bits)
    changed[offset] = changed[offset] | mask if value else changed[offset] & ~mask
    return bytes(changed)


def encode_bitstring(bits: bytes) -> str:
    """GZIP then multibase base64url ('u' prefix, no padding), as encodedList requires."""
    return encode_base64url(gzip.compress(bits, mtime=0))


def decode_bitstring(encoded: str) -> bytes:
    """The bitstring inside encodedList, inflated no further than MAX_STATUS_LIST_BYTES."""
    if not isinstance(encoded, str) or not encoded:
        raise BadgeError("encodedList must be a non-empty string")
    # Early drafts omitted the multibase 'u'; gzip data always starts with H4sI in base64.
    text = encoded if encoded.startswith(GZIP_MAGIC_BASE64) else encoded.removeprefix("u")
    compressed = b64url_decode(text)
    inflater = zlib.decompressobj(GZIP_WINDOW)
    try:
        bits = inflater.decompress(compressed, MAX_STATUS_LIST_BYTES + 1)
    except zlib.error as error:
        raise BadgeError(f"encodedList is not gzip data: {error}") from error
    if len(bits) > MAX_STATUS_LIST_BYTES or inflater.unconsumed_tail:
        raise BadgeError(f"encodedList inflates past {MAX_STATUS_LIST_BYTES} bytes")
    if not inflater.eof:
        raise BadgeError("encodedList gzip data is truncated")
    return bits
