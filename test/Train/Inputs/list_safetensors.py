"""Lists a safetensors file: NAME DTYPE SHAPE per tensor, in file order, then
how many tensors hold a nonzero value (F32 only)."""
import json
import struct
import sys

with open(sys.argv[1], "rb") as f:
    blob = f.read()
n = struct.unpack("<Q", blob[:8])[0]
header = json.loads(blob[8:8 + n])
data = blob[8 + n:]
nonzero = 0
entries = sorted((v["data_offsets"][0], k, v) for k, v in header.items()
                 if k != "__metadata__")
for _, name, v in entries:
    print("%s %s [%s]" % (name, v["dtype"], ", ".join(str(d) for d in v["shape"])))
    a, b = v["data_offsets"]
    values = struct.unpack("<%df" % ((b - a) // 4), data[a:b])
    if any(x != 0.0 for x in values):
        nonzero += 1
print("nonzero %d" % nonzero)
