"""Draw the app's icons (web/static/web/icons/): a white house on the register's blue, as PNGs made
with the standard library only (no image library is a dependency). Run once after changing them:
`python -m scripts.make_icons`."""

import struct
import zlib
from pathlib import Path

BLUE = (11, 92, 138)  # --brand of app.css
WHITE = (255, 255, 255)
OUT = Path(__file__).resolve().parent.parent / "web" / "static" / "web" / "icons"


def _inside_house(x: float, y: float) -> bool:
    # Coordinates in [0, 1]; the house sits in the middle 60 % (a maskable icon's safe zone).
    roof = 0.22 <= y <= 0.48 and abs(x - 0.5) <= (y - 0.22) * 1.1
    walls = 0.48 <= y <= 0.78 and 0.28 <= x <= 0.72
    door = 0.60 <= y <= 0.78 and 0.45 <= x <= 0.55
    return (roof or walls) and not door


def png(size: int) -> bytes:
    rows = []
    for j in range(size):
        row = bytearray([0])  # filter: none
        for i in range(size):
            row.extend(WHITE if _inside_house((i + 0.5) / size, (j + 0.5) / size) else BLUE)
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(
        b"IEND", b""
    )


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (32, 180, 192, 512):
        (OUT / f"icon-{size}.png").write_bytes(png(size))
