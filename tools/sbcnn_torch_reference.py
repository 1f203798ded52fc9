#!/usr/bin/env python3
"""The PyTorch reference for Audify's SB-CNN accuracy: the same network trained the same way on the
same log-mel frames and the same split, so an Audify figure can be held against PyTorch's.

  audify extract data.root=DIR features=mfcc40_mean --frames FRAMES --log-mel   # 128-band log-mel
  audify run data.root=DIR split=grouped seed=S ...           # any run: its predictions.csv names
                                                              # the test clips of seed S's split
  /usr/bin/python3 tools/sbcnn_torch_reference.py --frames FRAMES --metadata DIR/metadata/UrbanSound8K.csv \
      --test RUN/predictions.csv [--epochs 50] [--seed 0] [--init keras|torch] [--threads 1]

Protocol (train=sb_cnn, model=sb_cnn): one scalar mean/std over the training clips' values; each
epoch every training clip gives one random 128-frame crop (shorter clips padded with their lowest
value); Adam lr 1e-3 (eps 1e-7, Keras's), batch 32, 50 epochs; L2 1e-3 on the 64-unit dense
layer's weights added to the loss (Keras's kernel_regularizer); dropout 0.5; a test clip is
classified by the mean softmax of its windows every 16 frames. --init keras is Glorot-uniform
weights and zero biases (what Audify and Keras use), --init torch PyTorch's defaults. Prints the
test accuracy; needs Debian's python3-torch (tools/setup.sh --peers)."""
import argparse, csv, os, time
import numpy as np
import torch, torch.nn as nn, torch.nn.functional as F

ap = argparse.ArgumentParser()
ap.add_argument('--frames', required=True, help='folder of <clip>.npy log-mel matrices (frames x 128)')
ap.add_argument('--metadata', required=True, help="UrbanSound8K.csv (slice_file_name, classID)")
ap.add_argument('--test', required=True, help="an Audify run's predictions.csv: its clips are the test set")
ap.add_argument('--epochs', type=int, default=50); ap.add_argument('--seed', type=int, default=0)
ap.add_argument('--init', choices=['keras', 'torch'], default='keras')
ap.add_argument('--threads', type=int, default=1); ap.add_argument('--window', type=int, default=128)
ap.add_argument('--hop', type=int, default=16)
ap.add_argument('--load-audify', metavar='MODEL', help="evaluate an Audify run's model.safetensors "
                "(its weights and input scaling) instead of training: checks Audify's inference")
a = ap.parse_args()
torch.set_num_threads(a.threads); torch.manual_seed(a.seed); rng = np.random.default_rng(a.seed)

labels = {}
with open(a.metadata) as f:
    for row in csv.DictReader(f):
        labels[os.path.splitext(row['slice_file_name'])[0]] = int(row['classID'])
with open(a.test) as f:
    test_names = {os.path.splitext(row['file'])[0] for row in csv.DictReader(f)}
clips = {n: np.load(os.path.join(a.frames, n + '.npy')).astype(np.float32).T for n in sorted(labels)
         if os.path.exists(os.path.join(a.frames, n + '.npy'))}  # (bands, frames)
train = [n for n in clips if n not in test_names]
test = [n for n in clips if n in test_names]
assert len(test) == len(test_names), 'test clips missing from --frames'
values = np.concatenate([clips[n].ravel() for n in train])
mean, std = float(values.mean()), float(values.std())


def padded(x):
    if x.shape[1] >= a.window:
        return x
    return np.concatenate([x, np.full((x.shape[0], a.window - x.shape[1]), x.min(), np.float32)], 1)


class SBCNN(nn.Module):
    def __init__(self, classes):
        super().__init__()
        self.c1, self.c2, self.c3 = nn.Conv2d(1, 24, 5), nn.Conv2d(24, 48, 5), nn.Conv2d(48, 48, 5)
        self.f1, self.f2 = nn.Linear(48 * 2 * 25, 64), nn.Linear(64, classes)
        if a.init == 'keras':
            for m in [self.c1, self.c2, self.c3, self.f1, self.f2]:
                nn.init.xavier_uniform_(m.weight); nn.init.zeros_(m.bias)

    def forward(self, x):
        x = F.relu(F.max_pool2d(self.c1(x), (4, 2)))
        x = F.relu(F.max_pool2d(self.c2(x), (4, 2)))
        x = F.relu(self.c3(x))
        x = F.dropout(x.flatten(1), 0.5, self.training)
        x = F.dropout(F.relu(self.f1(x)), 0.5, self.training)
        return self.f2(x)


def load_audify(model, path):
    import json, struct
    blob = open(path, 'rb').read()
    n = struct.unpack('<Q', blob[:8])[0]
    header = json.loads(blob[8:8 + n])
    meta = json.loads(header['__metadata__']['audify.cnn'])
    names = {'c1': 'conv0', 'c2': 'conv1', 'c3': 'conv2', 'f1': 'dense0', 'f2': 'dense1'}
    for ours, theirs in names.items():
        for part in ['weight', 'bias']:
            t = header[f'{theirs}.{part}']
            start, end = t['data_offsets']
            values = np.frombuffer(blob[8 + n + start:8 + n + end], dtype=np.float32)
            p = getattr(getattr(model, ours), part)
            p.data = torch.from_numpy(values.copy()).reshape(p.shape)
    return float(meta['input_mean']), 1.0 / float(meta['input_inv_std'])


model = SBCNN(10)
opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
started = time.time()
if a.load_audify:
    mean, std = load_audify(model, a.load_audify)
    a.epochs = 0
for epoch in range(a.epochs):
    model.train()
    order = rng.permutation(len(train))
    loss_sum, hits = 0.0, 0
    for b in range(0, len(order), 32):
        batch = []
        for i in order[b:b + 32]:
            x = padded(clips[train[i]])
            s = rng.integers(0, x.shape[1] - a.window + 1)
            batch.append(x[:, s:s + a.window])
        x = torch.from_numpy((np.stack(batch)[:, None] - mean) / std)
        y = torch.tensor([labels[train[i]] for i in order[b:b + 32]])
        logits = model(x)
        loss = F.cross_entropy(logits, y) + 1e-3 * (model.f1.weight ** 2).sum()
        opt.zero_grad(); loss.backward(); opt.step()
        loss_sum += loss.item() * len(y); hits += int((logits.argmax(1) == y).sum())
    print(f'epoch {epoch + 1}/{a.epochs}: loss {loss_sum / len(train):.4f}, train acc '
          f'{hits / len(train):.4f} (dropout on; {time.time() - started:.0f} s)', flush=True)

model.eval(); correct = 0
with torch.no_grad():
    for n in test:
        x = padded(clips[n])
        starts = list(range(0, x.shape[1] - a.window + 1, a.hop)) or [0]
        w = torch.from_numpy((np.stack([x[:, s:s + a.window] for s in starts])[:, None] - mean) / std)
        correct += int(F.softmax(model(w), 1).mean(0).argmax()) == labels[n]
print(f'torch sb_cnn init={a.init} seed={a.seed}: {len(train)} train / {len(test)} test clips, '
      f'test accuracy {correct / len(test):.4f}')
