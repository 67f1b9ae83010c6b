"""Pixels of a QImage as Python sees them, with any Qt binding (no dccview import: the swatch counter
runs it in an interpreter that may not have dccview on its path)."""


def rgb32_pixels(image):
    """The pixels of a QImage in Format_RGB32 as a memoryview of unsigned ints, one 0xffRRGGBB each
    (rows padded to bytesPerLine()). PySide hands out a sized buffer; PyQt a sip.voidptr whose size
    must be set first."""
    bits = image.constBits()
    if hasattr(bits, "setsize"):  # PyQt5, PyQt6
        bits.setsize(image.sizeInBytes())
    return memoryview(bytes(bits)).cast("I")
