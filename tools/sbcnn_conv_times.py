#!/usr/bin/env python3
"""Per-layer times of SB-CNN's three convolutions in oneDNN (through PyTorch 1.13, Debian
python3-torch, which carries oneDNN 2.6.3 -- the libdnnl-dev version), forward and backward
(input and weight gradients; conv1's input gradient is not needed in training and not timed), at
batch 32 on N threads, in process CPU time (the best of --repeats; CPU time keeps the figures usable on a busy shared machine). The figures decided nn/cnn's im2col + OpenBLAS sgemm against oneDNN; compare
with `audify bench train model=sb_cnn --layers`.
  /usr/bin/python3 tools/sbcnn_conv_times.py [--threads 1] [--batch 32] [--repeats 10]"""
import argparse, time
import torch, torch.nn.functional as F

ap = argparse.ArgumentParser()
ap.add_argument('--threads', type=int, default=1); ap.add_argument('--batch', type=int, default=32)
ap.add_argument('--repeats', type=int, default=10)
a = ap.parse_args()
torch.set_num_threads(a.threads); torch.manual_seed(0)
layers = [('conv1', 1, 24, 128, 128), ('conv2', 24, 48, 31, 62), ('conv3', 48, 48, 6, 29)]


def best_of(fn):
    fn(); fn()
    times = []
    for _ in range(a.repeats):
        t = time.process_time(); fn(); times.append(time.process_time() - t)
    return min(times) * 1e3


for name, cin, cout, h, w in layers:
    x = torch.randn(a.batch, cin, h, w, requires_grad=name != 'conv1')
    wt = torch.randn(cout, cin, 5, 5, requires_grad=True)
    b = torch.zeros(cout, requires_grad=True)
    with torch.no_grad():
        fwd = best_of(lambda: F.conv2d(x, wt, b))
    y = F.conv2d(x, wt, b)
    g = torch.randn_like(y)
    bwd = best_of(lambda: torch.autograd.grad(y, [wt, b] + ([x] if x.requires_grad else []), g,
                                              retain_graph=True))
    macs = cout * cin * 25 * (h - 4) * (w - 4) * a.batch
    passes = 3 if x.requires_grad else 2
    print(f'{name} {cin}x{h}x{w} -> {cout}: forward {fwd:.1f} ms, backward {bwd:.1f} ms, '
          f'{2 * macs * passes / (fwd + bwd) / 1e6:.1f} GFLOP/s (oneDNN {torch.backends.mkldnn.is_available()})')
