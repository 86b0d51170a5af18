"""Badges go into PNG and SVG images the way the baking specs say, and come out again."""

from __future__ import annotations

import io
import json
import struct
import zlib

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngImageFile, PngInfo

from colbot.openbadges import baking
from colbot.openbadges.errors import BakingError, InputTooLargeError
from tests.support import images

JWS = "eyJhbGciOiJSUzI1NiJ9.eyJ0eXBlIjoiQXNzZXJ0aW9uIn0.c2lnbmF0dXJl"
CREDENTIAL = {"id": "urn:uuid:1", "name": "Gebäude & <Bikes> ]]> end"}


def chunk_types(png: bytes) -> list[bytes]:
    types, position = [], 8
    while position < len(png):
        length, kind = struct.unpack_from(">I4s", png, position)
        data = png[position + 8 : position + 8 + length]
        (crc,) = struct.unpack_from(">I", png, position + 8 + length)
        assert crc == zlib.crc32(kind + data), kind
        types.append(kind)
        position += 12 + length
    return types


# PNG


def test_png_assertion_round_trip_and_pillow_reads_it() -> None:
    baked = baking.bake_png_assertion(images.png(), JWS)

    assert baking.unbake(baked) == baking.Unbaked("png", assertions=(JWS,))
    image = Image.open(io.BytesIO(baked))
    assert isinstance(image, PngImageFile)
    assert image.text["openbadges"] == JWS
    assert image.size == (16, 16)


def test_png_chunk_is_uncompressed_itxt_just_before_iend() -> None:
    baked = baking.bake_png_credential(images.png(), CREDENTIAL)

    types = chunk_types(baked)
    assert types[-2:] == [b"iTXt", b"IEND"]
    index = baked.rindex(b"iTXt")
    assert baked[index + 4 :].startswith(b"openbadgecredential\x00\x00\x00\x00\x00{")


def test_png_credential_round_trip() -> None:
    baked = baking.bake_png_credential(images.png(), CREDENTIAL)

    unbaked = baking.unbake(baked)
    assert unbaked.credential is not None
    assert json.loads(unbaked.credential) == CREDENTIAL
    image = Image.open(io.BytesIO(baked))
    assert isinstance(image, PngImageFile)
    assert image.text["openbadgecredential"] == unbaked.credential


def test_png_can_carry_an_assertion_and_a_credential() -> None:
    baked = baking.bake_png_credential(baking.bake_png_assertion(images.png(), JWS), JWS)
    assert baking.unbake(baked) == baking.Unbaked("png", assertions=(JWS,), credentials=(JWS,))


def test_png_refuses_a_second_chunk_with_the_same_keyword() -> None:
    baked = baking.bake_png_assertion(images.png(), JWS)
    with pytest.raises(BakingError, match="already carries"):
        baking.bake_png_assertion(baked, JWS)


def test_png_written_by_pillow_with_a_compressed_chunk_unbakes() -> None:
    info = PngInfo()
    info.add_itxt("openbadges", JWS, zip=True)
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="PNG", pnginfo=info)

    assert baking.unbake(buffer.getvalue()).assertion == JWS


def test_png_unbakes_every_chunk_of_each_keyword_in_file_order() -> None:
    info = PngInfo()
    for keyword, text in [
        ("openbadgecredential", "one"),
        ("openbadges", "two"),
        ("openbadgecredential", "three"),
    ]:
        info.add_itxt(keyword, text, zip=text == "three")
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="PNG", pnginfo=info)

    unbaked = baking.unbake(buffer.getvalue())

    assert unbaked == baking.Unbaked("png", assertions=("two",), credentials=("one", "three"))
    assert unbaked.credential == "one"


def test_compressed_chunks_cannot_add_up_past_the_size_limit() -> None:
    info = PngInfo()
    for _ in range(3):
        info.add_itxt("openbadgecredential", " " * (baking.MAX_INPUT_BYTES // 2), zip=True)
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="PNG", pnginfo=info)

    with pytest.raises(InputTooLargeError, match="text chunks inflate"):
        baking.unbake(buffer.getvalue())


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"GIF89a....", "not a PNG"),
        (images.SVG, "not a PNG"),
        (images.png()[:-12], "ends before its IEND"),
    ],
)
def test_baking_refuses_what_is_not_a_whole_png(data: bytes, words: str) -> None:
    with pytest.raises(BakingError, match=words):
        baking.bake_png_assertion(data, JWS)


def test_png_with_a_corrupted_chunk_is_refused() -> None:
    png = bytearray(images.png())
    png[20] ^= 0xFF  # inside the IHDR data
    with pytest.raises(BakingError, match="bad CRC"):
        baking.unbake(bytes(png))


def test_png_without_a_badge_unbakes_empty() -> None:
    unbaked = baking.unbake(images.png())
    assert unbaked.empty
    assert unbaked.image_format == "png"


# SVG


def test_svg_assertion_follows_ob2_baking() -> None:
    baked = baking.bake_svg_assertion(images.SVG, JWS)
    text = baked.decode()

    svg_tag = text[text.index("<svg") : text.index("<openbadges:assertion")]
    assert 'xmlns:openbadges="http://openbadges.org"' in svg_tag
    assert 'data-note="a > b"' in svg_tag
    assert f'<openbadges:assertion verify="{JWS}"></openbadges:assertion>' in text
    assert text.index("<openbadges:assertion") < text.index("<circle")
    assert baking.unbake(baked) == baking.Unbaked("svg", assertions=(JWS,))


def test_svg_credential_is_json_in_cdata_in_the_ob3_namespace() -> None:
    baked = baking.bake_svg_credential(images.SVG, CREDENTIAL)
    text = baked.decode()

    assert 'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in text
    assert "<openbadges:credential><![CDATA[" in text
    unbaked = baking.unbake(baked)
    assert unbaked.credential is not None
    assert json.loads(unbaked.credential) == CREDENTIAL


def test_svg_vc_jwt_goes_in_a_verify_attribute() -> None:
    baked = baking.bake_svg_credential(images.SVG, JWS)
    assert f'<openbadges:credential verify="{JWS}">' in baked.decode()
    assert baking.unbake(baked).credential == JWS


def test_self_closing_svg_is_opened_up() -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'
    baked = baking.bake_svg_assertion(svg, JWS)

    assert baked.endswith(b"</svg>")
    assert baking.unbake(baked).assertion == JWS


def test_svg_unbakes_every_badge_element_even_nested_ones() -> None:
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:ob="https://purl.imsglobal.org/ob/v3p0"'
        b' xmlns:o2="http://openbadges.org">'
        b"<ob:credential>outer<ob:credential>inner</ob:credential></ob:credential>"
        b'<g><ob:credential verify="attribute"/><o2:assertion>first</o2:assertion></g>'
        b"<o2:assertion>second</o2:assertion></svg>"
    )

    assert baking.unbake(svg) == baking.Unbaked(
        "svg", assertions=("first", "second"), credentials=("inner", "outer", "attribute")
    )


def test_svg_refuses_a_second_badge_of_the_same_kind() -> None:
    baked = baking.bake_svg_assertion(images.SVG, JWS)
    with pytest.raises(BakingError, match="already carries"):
        baking.bake_svg_assertion(baked, JWS)


def test_svg_refuses_a_clashing_openbadges_prefix() -> None:
    baked = baking.bake_svg_assertion(images.SVG, JWS)
    with pytest.raises(BakingError, match="binds the 'openbadges' prefix"):
        baking.bake_svg_credential(baked, CREDENTIAL)


def test_svg_entity_bomb_is_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>'
    )
    with pytest.raises(BakingError, match="entities"):
        baking.unbake(bomb)


def test_svg_external_entity_is_refused() -> None:
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>'
    )
    with pytest.raises(BakingError, match="entit"):
        baking.unbake(xxe)


def test_html_is_not_an_svg() -> None:
    with pytest.raises(BakingError, match="not an SVG"):
        baking.bake_svg_assertion(b"<html><body/></html>", JWS)


# Size


def test_over_size_inputs_are_refused_with_a_clear_error() -> None:
    huge = images.png() + bytes(baking.MAX_INPUT_BYTES)
    with pytest.raises(InputTooLargeError, match="at most 10 MB"):
        baking.unbake(huge)
    with pytest.raises(InputTooLargeError):
        baking.bake_png_assertion(huge, JWS)


def test_read_bounded_never_reads_past_the_limit() -> None:
    class Counting(io.BytesIO):
        def __init__(self, data: bytes) -> None:
            super().__init__(data)
            self.asked: list[int] = []

        def read(self, size: int | None = -1) -> bytes:
            self.asked.append(-1 if size is None else size)
            return super().read(size)

    stream = Counting(bytes(200))
    with pytest.raises(InputTooLargeError):
        baking.read_bounded(stream, limit=100)
    assert stream.asked == [101]
    assert baking.read_bounded(io.BytesIO(b"small"), limit=100) == b"small"


def test_unbake_refuses_other_files() -> None:
    with pytest.raises(BakingError, match="not a PNG or SVG"):
        baking.unbake(b"%PDF-1.7")
