# SPDX-License-Identifier: GPL-2.0
#
# Screenshots of selftests/clients/test_firefox, read without libraries
# (8-bit, non-interlaced PNGs as Firefox writes them):
#
#	firefox_png.py same A.png B.png	exit 0 when the pixels match
#	firefox_png.py digest PNG	exit 0 when the squares that
#					firefox-heavy.html draws hold the
#					SHA-256 of its data and both checks
#					passed; else say what they hold
import hashlib
import struct
import sys
import zlib


def pixels(path):
    """((width, height, colour type), bytes per pixel, rows of bytes)."""
    d = open(path, 'rb').read()
    if d[:8] != b'\x89PNG\r\n\x1a\n':
        sys.exit('not a PNG: ' + path)
    i, idat, hdr = 8, b'', None
    while i < len(d):
        n, t = struct.unpack('>I4s', d[i:i + 8])
        if t == b'IHDR':
            hdr = struct.unpack('>IIBBBBB', d[i + 8:i + 21])
        if t == b'IDAT':
            idat += d[i + 8:i + 8 + n]
        i += 12 + n
    w, h, depth, ctype, _, _, interlace = hdr
    if depth != 8 or interlace:
        sys.exit('unsupported PNG: ' + path)
    bpp = {0: 1, 2: 3, 4: 2, 6: 4}[ctype]
    raw, stride, p = zlib.decompress(idat), w * bpp, 0
    prev, rows = bytearray(stride), []
    for y in range(h):
        f, line = raw[p], bytearray(raw[p + 1:p + 1 + stride])
        p += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[x] = (line[x] + pr) & 255
        rows.append(bytes(line))
        prev = line
    return (w, h, ctype), bpp, rows


def heavy_data():
    """firefox-heavy.html's data: the top byte of i * 2654435761."""
    return bytes(((i * 2654435761) & 0xffffffff) >> 24 for i in range(1 << 20))


def squares(path):
    """The grey levels of the 34 squares at (4 + 10 k, 4), 8 x 8."""
    _, bpp, rows = pixels(path)
    out = []
    for k in range(34):
        x, y = 4 + 10 * k + 4, 8
        px = rows[y][x * bpp:x * bpp + bpp]
        out.append(px[0] if len(set(px[:3] if bpp >= 3 else px[:1])) == 1 else -1)
    return out


def main():
    if len(sys.argv) == 4 and sys.argv[1] == 'same':
        a, b = pixels(sys.argv[2]), pixels(sys.argv[3])
        return 0 if (a[0], a[2]) == (b[0], b[2]) else 1
    if len(sys.argv) == 3 and sys.argv[1] == 'digest':
        want = list(hashlib.sha256(heavy_data()).digest()) + [255, 255]
        got = squares(sys.argv[2])
        if got == want:
            return 0
        print('squares hold %s, want %s' % (got, want))
        return 1
    sys.exit('usage: firefox_png.py same A.png B.png | digest PNG')


if __name__ == '__main__':
    sys.exit(main())
