"""Writes a small synthetic classification set as .npy files, without numpy.

make_data.py PREFIX [SAMPLES [SIZE [CLASSES]]] writes PREFIX.x.npy (float32
[SAMPLES, SIZE, SIZE, 1]: class k has a bright 3x3 patch at its own place
over uniform noise), PREFIX.y.npy (int64 class ids), PREFIX.y32.npy (the
same as int32) and PREFIX.onehot.npy (float32 [SAMPLES, CLASSES]).
"""
import struct
import sys


def write_npy(path, descr, shape, fmt, values):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (
        descr, "".join("%d, " % d for d in shape))
    pad = 64 - (10 + len(header) + 1) % 64
    header += " " * pad + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)))
        f.write(header.encode("latin1"))
        f.write(struct.pack("<%d%s" % (len(values), fmt), *values))


def main():
    prefix = sys.argv[1]
    samples = int(sys.argv[2]) if len(sys.argv) > 2 else 64
    size = int(sys.argv[3]) if len(sys.argv) > 3 else 12
    classes = int(sys.argv[4]) if len(sys.argv) > 4 else 4
    state = 12345
    x, y = [], []
    for s in range(samples):
        k = s % classes
        row, col = (k // 2) * (size // 2) + 1, (k % 2) * (size // 2) + 1
        for i in range(size):
            for j in range(size):
                state = (state * 1103515245 + 12345) % (1 << 31)
                v = (state / float(1 << 31)) * 0.5
                if row <= i < row + 3 and col <= j < col + 3:
                    v += 1.0
                x.append(v)
        y.append(k)
    write_npy(prefix + ".x.npy", "<f4", (samples, size, size, 1), "f", x)
    write_npy(prefix + ".y.npy", "<i8", (samples,), "q", y)
    write_npy(prefix + ".y32.npy", "<i4", (samples,), "i", y)
    onehot = [1.0 if j == k else 0.0 for k in y for j in range(classes)]
    write_npy(prefix + ".onehot.npy", "<f4", (samples, classes), "f", onehot)


if __name__ == "__main__":
    main()
