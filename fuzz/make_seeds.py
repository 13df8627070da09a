#!/usr/bin/env python3
"""Writes the valid seed inputs of tests/fuzz_corpus/<target>/ in the framing of fuzz/harness.rs.

python3 fuzz/make_seeds.py   (standard library only; the fuzzer's own findings are added beside them)
"""
import gzip, io, os, struct, zipfile

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fuzz_corpus")


def put(target, name, data):
    os.makedirs(os.path.join(root, target), exist_ok=True)
    with open(os.path.join(root, target, name), "wb") as f:
        f.write(data)


def framed(first, second, shift, bits, pad=b"\0"):
    """A head byte whose split (bits << shift ... in 2**(8-shift)ths of the rest) lands at len(first)."""
    rest = first + second
    parts = 2 ** (8 - shift)
    for h in range(parts):
        if h * len(rest) // parts == len(first):
            return bytes([(h << shift) | bits]) + rest
    # Pad the second part until a split point lands exactly (the reader sees trailing bytes there).
    return framed(first, second + pad, shift, bits, pad)


# IDX: 3 images of 4x4 and 3 labels, plain and gzip-compressed.
images = struct.pack(">IIII", 0x803, 3, 4, 4) + bytes(range(48))
labels = struct.pack(">II", 0x801, 3) + bytes([0, 1, 2])
put("idx", "plain", framed(images, labels, 1, 0))
put("idx", "gzip", framed(gzip.compress(images, mtime=0), gzip.compress(labels, mtime=0), 1, 1))

# CIFAR: two CIFAR-10 records with class names, and one CIFAR-100 record (coarse, fine label).
rec10 = bytes([3]) + bytes(3072)
names10 = b"\n".join(b"c%d" % i for i in range(10)) + b"\n"
put("cifar", "cifar10-names", framed(rec10 * 2, names10, 2, 2, b"\n"))
put("cifar", "cifar10-two-batches", framed(rec10, rec10, 2, 1))
rec100 = bytes([1, 42]) + bytes(3072)
names100 = b"\n".join(b"fine%d" % i for i in range(100)) + b"\n"
put("cifar", "cifar100", framed(rec100, names100, 2, 3, b"\n"))


def npy(descr, shape, data):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (
        descr, "".join("%d," % s for s in shape) if len(shape) == 1 else ", ".join(map(str, shape)))
    pad = 64 - (10 + len(header) + 1) % 64
    header = header + " " * pad + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + data


def npz(arrays, compress):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED) as z:
        for name, data in arrays:
            z.writestr(name + ".npy", data)
    return buf.getvalue()


x_u8 = npy("|u1", (2, 3, 3), bytes(range(18)))
y_i64 = npy("<i8", (2,), struct.pack("<qq", 0, 1))
put("npz", "u8-stored", npz([("x", x_u8), ("y", y_i64)], False))
put("npz", "u8-deflated", npz([("x", x_u8), ("y", y_i64)], True))
x_f32 = npy("<f4", (2, 2, 2, 3), struct.pack("<24f", *[i / 24 for i in range(24)]))
y_u8 = npy("|u1", (2,), bytes([1, 0]))
put("npz", "float-channels-last", npz([("x", x_f32), ("y", y_u8)], True))

for i, text in enumerate([
    'cscore < 0.3 and label == 7',
    'tag == "mislabeled" or not (injected and proxy_aum >= -1.5e0)',
    "cscore == null or tag != 'ok'",
    'not not not (label > 1 and (cscore <= 0.9 or proxy_aum < 2))',
]):
    put("filter", "expr%d" % i, text.encode())

# Imported score CSV: the head byte is the dataset size (bits 0-5), bit 6 passes --field cscore.
for name, head, text in [
    ("index-score", 3, "index,score\n2,0.5\n0,1\n"),
    ("bom-crlf-one-per-line", 3, "\ufeff0.1\r\n0.2\r\n\r\n0.3\r\n"),
    ("export-column", 64 | 2, 'index,label,note,cscore\n0,1,"a,\nb",0.25\n1,0,,\n'),
    ("headerless-pairs", 2, "1,0.2\n0,0.1"),
]:
    put("csv", name, bytes([head]) + text.encode())
