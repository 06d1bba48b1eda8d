# SPDX-License-Identifier: MIT
"""The VM's screen as the test sees it, and the guest's console line in it.

QEMU 10.0 cannot `screendump` a virtio-gpu-gl scanout: the scanout is a GL
texture, and its screendump reads only a console's DisplaySurface ("no
surface" in QMP's answer, ui/ui-qmp-cmds.c).  So the test reads what QEMU's
display (SDL with OpenGL, on Xvfb) actually drew: Xvfb keeps its screen in
a file (-fbdir DIR, XWD format), which is the pixels of QEMU's window.

The guest puts one line of text on its framebuffer console (guest_console.c)
and prints the glyphs of the font the kernel draws it with.  The host
renders that line with those glyphs, one bit a pixel, and looks for it on
the screen: a pixel is lit when it is brighter than half grey (fbcon draws
light grey on black).  The screen must hold the line exactly: every pixel
of its 8x16 cells lit where the glyph's bit is set and dark where it is not,
the rest of the screen dark (the guest cleared it).

The guest's KMS output (guest_kms.c) shows two frames one after the other,
by a page flip, and prints how it drew them: a palette of 8 colours, none
black, and the rule that picks a pixel's colour (parse_frames).  The host
draws the frame the guest flipped to and wants it on the screen exactly:
every pixel of the mode's size the colour the rule gives, everything around
it black (find_frame)."""

import re
import struct
import zlib

LIT = 0x80 * 3   # sum of R, G, B above which a pixel counts as lit


class Screen:
    """width, height, and rows of (R, G, B) bytes."""

    def __init__(self, width, height, rgb):
        self.width, self.height, self.rgb = width, height, rgb

    def lit(self, x, y):
        i = (y * self.width + x) * 3
        return self.rgb[i] + self.rgb[i + 1] + self.rgb[i + 2] > LIT

    def lit_box(self):
        """The smallest box (x0, y0, x1, y1) holding every lit pixel; None
        if none is lit."""
        xs, ys = [], []
        for y in range(self.height):
            row = self.rgb[y * self.width * 3:(y + 1) * self.width * 3]
            sums = [row[i] + row[i + 1] + row[i + 2] for i in range(0, len(row), 3)]
            lit = [x for x, s in enumerate(sums) if s > LIT]
            if lit:
                ys.append(y)
                xs += (lit[0], lit[-1])
        return (min(xs), min(ys), max(xs) + 1, max(ys) + 1) if ys else None

    def png(self):
        """The screen as a PNG file's bytes (for a look at it)."""
        raw = b''.join(b'\0' + self.rgb[y * self.width * 3:(y + 1) * self.width * 3]
                       for y in range(self.height))

        def chunk(kind, data):
            return struct.pack('>I', len(data)) + kind + data + \
                struct.pack('>I', zlib.crc32(kind + data))
        return (b'\x89PNG\r\n\x1a\n' +
                chunk(b'IHDR', struct.pack('>IIBBBBB', self.width, self.height, 8, 2, 0, 0, 0)) +
                chunk(b'IDAT', zlib.compress(raw, 6)) + chunk(b'IEND', b''))


def read_xwd(path):
    """Xvfb's screen file (-fbdir): an XWD image of 32-bit pixels."""
    with open(path, 'rb') as f:
        data = f.read()
    header = struct.unpack('>25I', data[:100])
    (header_size, _version, _format, _depth, width, height, _xoffset, byte_order, _unit,
     _bit_order, _pad, bits_per_pixel, bytes_per_line, _visual, red_mask, green_mask,
     blue_mask, _bits_rgb, _entries, ncolors) = header[:20]
    if bits_per_pixel != 32:
        raise ValueError('an XWD screen of %d bits a pixel' % bits_per_pixel)
    start = header_size + ncolors * 12
    order = '<' if byte_order == 0 else '>'
    shifts = [(m, (m & -m).bit_length() - 1) for m in (red_mask, green_mask, blue_mask)]
    rgb = bytearray(width * height * 3)
    for y in range(height):
        row = struct.unpack_from('%s%dI' % (order, width), data, start + y * bytes_per_line)
        out = y * width * 3
        for k, (mask, shift) in enumerate(shifts):
            rgb[out + k:out + width * 3:3] = bytes(((p & mask) >> shift) & 0xff for p in row)
    return Screen(width, height, bytes(rgb))


def parse_font(console):
    """(width, height, {char: [row bits...]}) from what guest_console.c
    printed; None if it printed no font."""
    m = re.search(r'console-font (\d+) (\d+)', console)
    if not m:
        return None
    width, height = int(m.group(1)), int(m.group(2))
    glyphs = {}
    for code, rows in re.findall(r'console-glyph ([0-9a-f]{2})((?: [0-9a-f]+)+)', console):
        glyphs[chr(int(code, 16))] = [int(r, 16) for r in rows.split()]
    return width, height, glyphs


def render(text, font):
    """The line as the kernel draws it: a list of rows of booleans (lit)."""
    width, height, glyphs = font
    row_bits = (width + 7) // 8 * 8
    rows = []
    for y in range(height):
        line = []
        for ch in text:
            bits = glyphs[ch][y]
            line += [bool(bits >> (row_bits - 1 - x) & 1) for x in range(width)]
        rows.append(line)
    return rows


def find_line(screen, text, font):
    """(found, what): whether the screen shows the line, where, and if not
    what it shows instead."""
    if any(ch not in font[2] for ch in text):
        return False, 'the guest printed no glyph for some of the line\'s characters'
    expected = render(text, font)
    box = screen.lit_box()
    if box is None:
        return False, 'the screen is all dark (%dx%d)' % (screen.width, screen.height)
    # the lit pixels of the rendering, to align with the screen's
    lit_cols = [x for x in range(len(expected[0])) if any(r[x] for r in expected)]
    lit_rows = [y for y in range(len(expected)) if any(expected[y])]
    ox, oy = box[0] - lit_cols[0], box[1] - lit_rows[0]
    want = (ox + lit_cols[-1] + 1, oy + lit_rows[-1] + 1)
    if (box[2], box[3]) != want:
        return False, ('lit pixels in %s, where the line would light (%d, %d)-(%d, %d) only' %
                       (box, box[0], box[1], want[0], want[1]))
    wrong = sum(screen.lit(ox + x, oy + y) != bit
                for y, row in enumerate(expected) for x, bit in enumerate(row))
    pixels = len(expected) * len(expected[0])
    if wrong:
        return False, '%d of the line\'s %d pixels differ from the font\'s rendering at (%d, %d)' % (
            wrong, pixels, ox, oy)
    return True, ('the line, %d characters, %d pixels, matches the font\'s rendering exactly at '
                  '(%d, %d) of the %dx%d screen, and nothing else is lit' %
                  (len(text), pixels, ox, oy, screen.width, screen.height))


def parse_frames(console):
    """{'A': rows, 'B': rows}, each frame as guest_kms.c drew it: a list of
    the mode's rows as R, G, B bytes; None if the guest did not print the
    mode, the pattern and both buffers."""
    mode = re.search(r'kms-mode (\d+) (\d+)', console)
    pattern = re.search(r'kms-pattern (\d+) (\d+)((?: [0-9a-f]{6})+)', console)
    shifts = dict(re.findall(r'kms-buffer ([AB]) (\d+) ', console))
    if not mode or not pattern or set(shifts) != {'A', 'B'}:
        return None
    width, height = int(mode.group(1)), int(mode.group(2))
    columns, bands = int(pattern.group(1)), int(pattern.group(2))
    palette = [bytes.fromhex(c) for c in pattern.group(3).split()]
    if not width or not height or len(palette) != columns:
        return None
    frames = {}
    for name, shift in shifts.items():
        # guest_kms.c: colour (x * COLUMNS / W + y * BANDS / H + SHIFT) % COLUMNS,
        # so a frame has one row for each band
        band_rows = [b''.join(palette[(x * columns // width + band + int(shift)) % columns]
                              for x in range(width)) for band in range(bands)]
        frames[name] = [band_rows[y * bands // height] for y in range(height)]
    return frames


def nonblack_box(screen):
    """The smallest box (x0, y0, x1, y1) holding every pixel that is not
    black; None if all are."""
    xs, ys = [], []
    row_bytes = screen.width * 3
    for y in range(screen.height):
        row = screen.rgb[y * row_bytes:(y + 1) * row_bytes]
        first = row_bytes - len(row.lstrip(b'\0'))
        if first < row_bytes:
            ys.append(y)
            xs += (first // 3, (len(row.rstrip(b'\0')) - 1) // 3)
    return (min(xs), min(ys), max(xs) + 1, max(ys) + 1) if ys else None


def find_frame(screen, frames, want):
    """(found, what): whether the screen shows frames[want] exactly, one
    screen pixel a frame pixel, and nothing but black around it; if not,
    what it shows instead (another of the frames, or where they differ)."""
    rows = frames[want]
    width, height = len(rows[0]) // 3, len(rows)
    box = nonblack_box(screen)
    if box is None:
        return False, 'the screen is all black (%dx%d)' % (screen.width, screen.height)
    if (box[2] - box[0], box[3] - box[1]) != (width, height):
        return False, ('pixels other than black in %s, %dx%d, where a %dx%d frame would be '
                       'shown' % (box, box[2] - box[0], box[3] - box[1], width, height))
    ox, oy = box[0], box[1]

    def shown_row(y):
        at = ((oy + y) * screen.width + ox) * 3
        return screen.rgb[at:at + width * 3]
    for name in [want] + sorted(set(frames) - {want}):
        if all(shown_row(y) == row for y, row in enumerate(frames[name])):
            if name == want:
                return True, ('frame %s, %dx%d, %d pixels, matches the guest\'s drawing exactly '
                              'at (%d, %d) of the %dx%d screen, and everything else is black' %
                              (want, width, height, width * height, ox, oy, screen.width,
                               screen.height))
            return False, 'the screen shows frame %s, not %s, at (%d, %d)' % (name, want, ox, oy)
    wrong, first = 0, None
    for y, row in enumerate(rows):
        shown = shown_row(y)
        if shown == row:
            continue
        for x in range(width):
            if shown[x * 3:x * 3 + 3] != row[x * 3:x * 3 + 3]:
                wrong += 1
                first = first or (x, y, shown[x * 3:x * 3 + 3].hex(), row[x * 3:x * 3 + 3].hex())
    return False, ('%d of frame %s\'s %d pixels differ at (%d, %d) of the screen; the first at '
                   '(%d, %d) of the frame: %s shown, %s drawn' %
                   ((wrong, want, width * height, ox, oy) + first))
