"""Colored MNIST in the CIFAR-10 binary format: a dense 32x32 RGB benchmark dataset made from MNIST.

usage: python3 make_colored_mnist.py MNIST_DIR OUT_DIR [TRAIN_EXAMPLES=50000]
Each digit is shifted by 0-4 pixels into a 32x32 canvas, painted in a random foreground colour on a random
background colour, plus Gaussian pixel noise (sd 20): every pixel is non-zero, unlike MNIST. Writes
data_batch_1..5.bin (50,000 train), test_batch.bin (10,000) and batches.meta.txt; deterministic (seed 0).

A copy of ../shared/bench/make_colored_mnist.py (the benchmark figures' generator: on full MNIST with the
default size its output is the same, byte for byte), carried in the GPU bundle (bench/gpu_pack.sh). Two
additions for small checks: TRAIN_EXAMPLES takes fewer training digits (batches of 10,000, the last one
shorter; no empty batch files), and a folder without the t10k files gives an empty test_batch.bin.
"""
import gzip, numpy as np, os, sys
src, out = sys.argv[1], sys.argv[2]
limit = int(sys.argv[3]) if len(sys.argv) > 3 else 50000
def idx(p):
    b = gzip.open(p).read()
    nd = b[3]; dims = [int.from_bytes(b[4+4*i:8+4*i], 'big') for i in range(nd)]
    return np.frombuffer(b, np.uint8, offset=4+4*nd).reshape(dims)
X = idx(f'{src}/train-images-idx3-ubyte.gz'); Y = idx(f'{src}/train-labels-idx1-ubyte.gz')
if os.path.exists(f'{src}/t10k-images-idx3-ubyte.gz'):
    Xt = idx(f'{src}/t10k-images-idx3-ubyte.gz'); Yt = idx(f'{src}/t10k-labels-idx1-ubyte.gz')
else:
    Xt, Yt = X[:0], Y[:0]
rng = np.random.default_rng(0)
def make(X):
    n = len(X); img = np.zeros((n, 32, 32, 3), np.float32)
    bg = rng.uniform(0, 255, (n, 1, 1, 3)); fg = rng.uniform(0, 255, (n, 1, 1, 3))
    dx = rng.integers(0, 5, n); dy = rng.integers(0, 5, n)
    a = np.zeros((n, 32, 32), np.float32)
    for i in range(n): a[i, dy[i]:dy[i]+28, dx[i]:dx[i]+28] = X[i] / 255.0
    img = bg * (1 - a[..., None]) + fg * a[..., None] + rng.normal(0, 20, (n, 32, 32, 3))
    return np.clip(img, 0, 255).astype(np.uint8)
os.makedirs(out, exist_ok=True)
def write(path, x, y):
    rec = np.concatenate([y[:, None].astype(np.uint8), x.transpose(0, 3, 1, 2).reshape(len(x), 3 * 32 * 32)], 1)
    rec.tofile(path)
tr = make(X[:min(50000, limit)]); te = make(Xt); Y = Y[:len(tr)]
for b in range(5):
    if b * 10000 >= len(tr): break
    write(f'{out}/data_batch_{b+1}.bin', tr[b*10000:(b+1)*10000], Y[b*10000:(b+1)*10000])
write(f'{out}/test_batch.bin', te, Yt)
open(f'{out}/batches.meta.txt', 'w').write('\n'.join(['zero','one','two','three','four','five','six','seven','eight','nine']) + '\n')
print('ok', tr.shape)
