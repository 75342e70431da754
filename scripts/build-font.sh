#!/usr/bin/env bash
# Rebuilds crates/seal/fonts/NotoSerifSC-GBK.otf: Noto Serif CJK SC (OFL) subset to every
# character GBK can encode, printable ASCII and the punctuation official documents use.
# GBK rather than GB2312 because applicants' names use characters outside GB2312.
#
# Needs Debian's fonts-noto-cjk (the .ttc below; face 2 is SC) and fonttools (pyftsubset).
# The output is deterministic for a given source font and fonttools version.
set -euo pipefail

src=${NOTO_SERIF_CJK:-/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc}
out=${1:-$(dirname "$0")/../crates/seal/fonts/NotoSerifSC-GBK.otf}
chars=$(mktemp)
trap 'rm -f "$chars"' EXIT

python3 - "$chars" <<'PY'
import sys

points = set(range(0x20, 0x7F))  # printable ASCII
for cp in range(0x80, 0x10000):
    if 0xD800 <= cp <= 0xDFFF:
        continue
    try:
        chr(cp).encode("gbk")
    except UnicodeEncodeError:
        continue
    points.add(cp)
# CJK punctuation and full-width forms (most are in GBK already; this keeps them if not).
points.update(range(0x3000, 0x3040))
points.update(range(0xFF01, 0xFF5F))
points.update(ord(c) for c in "〔〕、，。：；（）《》“”‘’…—·「」『』【】￥")
with open(sys.argv[1], "w") as f:
    f.write("\n".join(f"U+{cp:04X}" for cp in sorted(points)))
PY

pyftsubset "$src" --font-number=2 \
  --unicodes-file="$chars" \
  --layout-features='*' \
  --name-IDs='*' --name-languages='*' --name-legacy \
  --notdef-outline \
  --output-file="$out"
ls -l "$out"
