"""Baking: a badge carried inside its own PNG or SVG image, as OB 2.0 and OB 3.0 specify."""

from __future__ import annotations

import json
import struct
import xml.parsers.expat
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from colbot.openbadges.errors import BakingError, InputTooLargeError

MAX_INPUT_BYTES = 10 * 1024 * 1024
MEGABYTE = 1024 * 1024

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_LENGTH_LIMIT = 2**31 - 1
CHUNK_HEADER = struct.Struct(">I4s")
CHUNK_CRC = struct.Struct(">I")
ITXT = b"iTXt"
TEXT = b"tEXt"
IHDR = b"IHDR"
IEND = b"IEND"
ITXT_UNCOMPRESSED = b"\x00\x00"
OB2_PNG_KEYWORD = "openbadges"
OB3_PNG_KEYWORD = "openbadgecredential"

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
OB2_SVG_NAMESPACE = "http://openbadges.org"
OB3_SVG_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
SVG_PREFIX = "openbadges"
OB2_SVG_ELEMENT = "assertion"
OB3_SVG_ELEMENT = "credential"
NAMESPACE_SEPARATOR = " "
UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
CDATA_END = "]]>"

PNG = "png"
SVG = "svg"


@dataclass(frozen=True)
class Unbaked:
    """Every OB 2.0 assertion and OB 3.0 credential an image carries, as text, in file order."""

    image_format: str
    assertions: tuple[str, ...] = ()
    credentials: tuple[str, ...] = ()

    @property
    def assertion(self) -> str | None:
        """The first assertion, which is the one a baker puts in."""
        return self.assertions[0] if self.assertions else None

    @property
    def credential(self) -> str | None:
        """The first credential, which is the one a baker puts in."""
        return self.credentials[0] if self.credentials else None

    @property
    def empty(self) -> bool:
        """True for an image with no badge in it."""
        return not self.assertions and not self.credentials


def check_size(data: bytes | str, limit: int = MAX_INPUT_BYTES) -> None:
    """Refuses inputs over the limit before any parsing starts."""
    size = len(data)
    if size > limit:
        raise InputTooLargeError(
            f"input is {size} bytes; colbot reads at most {limit // MEGABYTE} MB"
        )


def read_bounded(stream: BinaryIO, limit: int = MAX_INPUT_BYTES) -> bytes:
    """Reads a stream, but never more than one byte past the limit."""
    data = stream.read(limit + 1)
    check_size(data, limit)
    return data


def image_format(data: bytes) -> str | None:
    """'png', 'svg' or None, judged from the first bytes."""
    if data.startswith(PNG_SIGNATURE):
        return PNG
    head = data.removeprefix(UTF8_BOM).lstrip()
    return SVG if head.startswith(b"<") else None


# PNG


@dataclass(frozen=True)
class _Chunk:
    """One PNG chunk's type, data and where it starts."""

    kind: bytes
    data: bytes
    start: int


def _chunk_bytes(kind: bytes, data: bytes) -> bytes:
    """A chunk with its length and CRC-32 (over the type and the data)."""
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return CHUNK_HEADER.pack(len(data), kind) + data + CHUNK_CRC.pack(crc)


def _chunks(png: bytes) -> list[_Chunk]:
    """Walks a PNG's chunks up to IEND, refusing anything malformed."""
    if not png.startswith(PNG_SIGNATURE):
        raise BakingError("not a PNG image (no PNG signature)")
    chunks: list[_Chunk] = []
    position = len(PNG_SIGNATURE)
    while True:
        if position + CHUNK_HEADER.size > len(png):
            raise BakingError("PNG ends before its IEND chunk")
        length, kind = CHUNK_HEADER.unpack_from(png, position)
        data_start = position + CHUNK_HEADER.size
        data_end = data_start + length
        if length > PNG_LENGTH_LIMIT or data_end + CHUNK_CRC.size > len(png):
            raise BakingError(f"PNG chunk {kind!r} runs past the end of the file")
        data = png[data_start:data_end]
        (crc,) = CHUNK_CRC.unpack_from(png, data_end)
        if crc != zlib.crc32(kind + data) & 0xFFFFFFFF:
            raise BakingError(f"PNG chunk {kind!r} has a bad CRC")
        if not chunks and kind != IHDR:
            raise BakingError("PNG does not start with an IHDR chunk")
        chunks.append(_Chunk(kind, data, position))
        if kind == IEND:
            return chunks
        position = data_end + CHUNK_CRC.size


def _itxt(keyword: str, text: str) -> bytes:
    """An uncompressed iTXt chunk body with no language tag, as the baking specs require."""
    return (
        keyword.encode("latin-1") + b"\x00" + ITXT_UNCOMPRESSED + b"\x00" + b"\x00"
    ) + text.encode("utf-8")


def _read_text_chunk(chunk: _Chunk) -> tuple[str, str] | None:
    """A tEXt or iTXt chunk's keyword and text; None for chunks that hold no text."""
    keyword_bytes, separator, rest = chunk.data.partition(b"\x00")
    if not separator:
        return None
    keyword = keyword_bytes.decode("latin-1")
    if chunk.kind == TEXT:
        return keyword, rest.decode("latin-1")
    if chunk.kind != ITXT or len(rest) < len(ITXT_UNCOMPRESSED):
        return None
    compressed = rest[0] == 1
    _language, _, rest = rest[2:].partition(b"\x00")
    _translated, _, text = rest.partition(b"\x00")
    if compressed:
        inflater = zlib.decompressobj()
        try:
            text = inflater.decompress(text, MAX_INPUT_BYTES + 1)
        except zlib.error as error:
            raise BakingError(f"iTXt {keyword!r} is not valid zlib data") from error
        if len(text) > MAX_INPUT_BYTES or inflater.unconsumed_tail:
            raise InputTooLargeError(f"iTXt {keyword!r} inflates past the size limit")
    try:
        return keyword, text.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BakingError(f"iTXt {keyword!r} text is not UTF-8") from error


def _png_texts(png: bytes) -> tuple[list[_Chunk], dict[str, list[str]]]:
    """The chunks, and every text for each keyword in file order, so no second badge hides."""
    chunks = _chunks(png)
    texts: dict[str, list[str]] = {}
    kept = 0
    for chunk in chunks:
        if chunk.kind in (ITXT, TEXT):
            found = _read_text_chunk(chunk)
            if found is None:
                continue
            kept += len(found[1])
            # Each compressed chunk may inflate to the limit; many of them must not add up.
            if kept > MAX_INPUT_BYTES:
                raise InputTooLargeError("this PNG's text chunks inflate past the size limit")
            texts.setdefault(found[0], []).append(found[1])
    return chunks, texts


def bake_png(png: bytes, keyword: str, text: str) -> bytes:
    """Inserts one iTXt chunk just before IEND; refuses a non-PNG or a second chunk."""
    check_size(png)
    chunks, texts = _png_texts(png)
    if keyword in texts:
        raise BakingError(f"this PNG already carries an {keyword!r} chunk")
    iend = chunks[-1].start
    return png[:iend] + _chunk_bytes(ITXT, _itxt(keyword, text)) + png[iend:]


def _credential_text(credential: Mapping[str, Any] | str) -> str:
    """An OB 3.0 credential as baked text: its JSON, or a VC-JWT as it is."""
    if isinstance(credential, str):
        return credential.strip()
    return json.dumps(credential, ensure_ascii=False, separators=(",", ":"))


def bake_png_assertion(png: bytes, jws: str) -> bytes:
    """Bakes an OB 2.0 signed assertion (compact JWS) into a PNG."""
    return bake_png(png, OB2_PNG_KEYWORD, jws.strip())


def bake_png_credential(png: bytes, credential: Mapping[str, Any] | str) -> bytes:
    """Bakes an OB 3.0 credential (JSON with a proof, or a VC-JWT) into a PNG."""
    return bake_png(png, OB3_PNG_KEYWORD, _credential_text(credential))


# SVG


@dataclass
class _SvgScan:
    """What one pass of expat learned about an SVG."""

    root_start: int = -1
    root_name: str = ""
    root_prefixes: dict[str, str] = field(default_factory=dict)
    found: dict[str, list[str]] = field(default_factory=dict)


def _refuse_entities(*_: object) -> None:
    """Entity declarations are how XML bombs work; a badge image never needs one."""
    raise BakingError("SVG declares XML entities, which colbot refuses to expand")


def _refuse_external(*_: object) -> int:
    """External entities would make unbaking read other files or the network."""
    raise BakingError("SVG refers to an external entity, which colbot refuses to load")


def _scan_svg(svg: bytes) -> _SvgScan:
    """Parses an SVG with expat, without entities, noting the root and any baked badges."""
    if svg.startswith(UTF16_BOMS):
        raise BakingError("SVG must be UTF-8")
    scan = _SvgScan()
    parser = xml.parsers.expat.ParserCreate(namespace_separator=NAMESPACE_SEPARATOR)
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.EntityDeclHandler = _refuse_entities
    parser.UnparsedEntityDeclHandler = _refuse_entities
    parser.ExternalEntityRefHandler = _refuse_external
    depth = 0
    pending: dict[str, str] = {}
    # One entry per open element: the badge text being read inside it, if it is a badge element.
    opened: list[tuple[str, list[str]] | None] = []
    reading: list[list[str]] = []
    wanted = {
        OB2_SVG_NAMESPACE + NAMESPACE_SEPARATOR + OB2_SVG_ELEMENT: OB2_SVG_NAMESPACE,
        OB3_SVG_NAMESPACE + NAMESPACE_SEPARATOR + OB3_SVG_ELEMENT: OB3_SVG_NAMESPACE,
    }

    def on_namespace(prefix: str | None, uri: str) -> None:
        if depth == 0:
            pending[prefix or ""] = uri

    def on_start(name: str, attributes: dict[str, str]) -> None:
        nonlocal depth
        if depth == 0:
            scan.root_start = parser.CurrentByteIndex
            scan.root_name = name
            scan.root_prefixes = dict(pending)
        depth += 1
        key = wanted.get(name)
        if key is not None and "verify" in attributes:
            scan.found.setdefault(key, []).append(attributes["verify"].strip())
        if key is None or "verify" in attributes:
            opened.append(None)
            return
        parts: list[str] = []
        opened.append((key, parts))
        reading.append(parts)

    def on_end(_name: str) -> None:
        nonlocal depth
        depth -= 1
        element = opened.pop()
        if element is not None:
            key, parts = element
            reading.pop()
            scan.found.setdefault(key, []).append("".join(parts).strip())

    def on_text(text: str) -> None:
        # Only the innermost badge element gets the text, so nesting cannot multiply it.
        if reading:
            reading[-1].append(text)

    parser.StartNamespaceDeclHandler = on_namespace
    parser.StartElementHandler = on_start
    parser.EndElementHandler = on_end
    parser.CharacterDataHandler = on_text
    try:
        parser.Parse(svg, True)
    except xml.parsers.expat.ExpatError as error:
        raise BakingError(f"not a well-formed SVG: {error}") from error
    local = scan.root_name.rpartition(NAMESPACE_SEPARATOR)
    if local[2] != "svg" or local[0] not in ("", SVG_NAMESPACE):
        raise BakingError("not an SVG image (the root element is not <svg>)")
    return scan


def _start_tag_end(svg: bytes, start: int) -> int:
    """The index of the '>' that closes the start tag at start, skipping quoted values."""
    quote: int | None = None
    for index in range(start, len(svg)):
        byte = svg[index]
        if quote is not None:
            if byte == quote:
                quote = None
        elif byte in (0x22, 0x27):
            quote = byte
        elif byte == 0x3E:
            return index
    raise BakingError("the <svg> start tag is not closed")


def _escape_attribute(value: str) -> str:
    """XML attribute escaping for a double-quoted value."""
    return (
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _cdata(text: str) -> str:
    """Text wrapped in CDATA, splitting any ']]>' so it cannot end the section early."""
    return "<![CDATA[" + text.replace(CDATA_END, "]]]]><![CDATA[>") + "]]>"


def bake_svg(svg: bytes, namespace: str, element: str) -> bytes:
    """Adds the openbadges namespace to <svg> and puts the element directly after its tag."""
    check_size(svg)
    scan = _scan_svg(svg)
    if namespace in scan.found:
        raise BakingError("this SVG already carries a baked badge of that kind")
    bound = scan.root_prefixes.get(SVG_PREFIX)
    if bound is not None and bound != namespace:
        raise BakingError(f"this SVG already binds the {SVG_PREFIX!r} prefix to {bound}")
    tag_end = _start_tag_end(svg, scan.root_start)
    self_closing = svg[tag_end - 1 : tag_end] == b"/"
    attributes_end = tag_end - 1 if self_closing else tag_end
    declaration = b"" if bound else f' xmlns:{SVG_PREFIX}="{namespace}"'.encode()
    inserted = ("\n" + element + "\n").encode("utf-8")
    if self_closing:
        qualified = svg[scan.root_start + 1 : tag_end].split(None, 1)[0].rstrip(b"/")
        closing = b"</" + qualified + b">"
        return svg[:attributes_end] + declaration + b">" + inserted + closing + svg[tag_end + 1 :]
    return svg[:attributes_end] + declaration + b">" + inserted + svg[tag_end + 1 :]


def bake_svg_assertion(svg: bytes, jws: str) -> bytes:
    """Bakes an OB 2.0 signed assertion as <openbadges:assertion verify="...">."""
    element = (
        f'<{SVG_PREFIX}:{OB2_SVG_ELEMENT} verify="{_escape_attribute(jws.strip())}">'
        f"</{SVG_PREFIX}:{OB2_SVG_ELEMENT}>"
    )
    return bake_svg(svg, OB2_SVG_NAMESPACE, element)


def bake_svg_credential(svg: bytes, credential: Mapping[str, Any] | str) -> bytes:
    """Bakes an OB 3.0 credential: JSON in CDATA, or a VC-JWT in a verify attribute."""
    text = _credential_text(credential)
    tag = f"{SVG_PREFIX}:{OB3_SVG_ELEMENT}"
    if isinstance(credential, str):
        element = f'<{tag} verify="{_escape_attribute(text)}"></{tag}>'
    else:
        element = f"<{tag}>{_cdata(text)}</{tag}>"
    return bake_svg(svg, OB3_SVG_NAMESPACE, element)


def unbake(data: bytes) -> Unbaked:
    """Every badge a PNG or SVG carries; refuses other files and oversized ones."""
    check_size(data)
    kind = image_format(data)
    if kind == PNG:
        _, texts = _png_texts(data)
        return Unbaked(
            PNG,
            tuple(texts.get(OB2_PNG_KEYWORD, ())),
            tuple(texts.get(OB3_PNG_KEYWORD, ())),
        )
    if kind == SVG:
        found = _scan_svg(data).found
        return Unbaked(
            SVG,
            tuple(found.get(OB2_SVG_NAMESPACE, ())),
            tuple(found.get(OB3_SVG_NAMESPACE, ())),
        )
    raise BakingError("not a PNG or SVG image")
