#!/usr/bin/python3
"""Trains the glioma-synthetic-baseline package's network: a tiny 3D convolutional net segmenting the whole tumour
(BraTS WT) on synthetic MR-like volumes (a bright blob in a grey ellipsoid "brain" with noise), then exports it to
ONNX (opset 17) with a softmax over background / whole tumour. Synthetic data only: it has never seen a real MR.

Run with Debian's python3-torch on the CPU: /usr/bin/python3 train.py [output folder] (about 30 s on 2 cores). Seeds
and thread count are fixed; it writes model.onnx, weights.pt (the state dict, for comparing ONNX Runtime with torch)
and prints the training log and the held-out metrics (kept in training-log.txt)."""
import sys

sys.dont_write_bytecode = True

import os  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

SHAPE = (16, 32, 32)  # D, H, W
CLIP = (0.0, 2000.0)  # the manifest's input.intensity: clip, then scale 0.001, offset 0
SCALE = 0.001
SEED = 18
STEPS = 400
BATCH = 4


class TinySegNet(nn.Module):
    """Conv3d(1→8, k3) → ReLU → Conv3d(8→8, k3) → ReLU → Conv3d(8→2, k1): logits of background and whole tumour."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv3d(1, 8, 3, padding=1), nn.ReLU(),
            nn.Conv3d(8, 8, 3, padding=1), nn.ReLU(),
            nn.Conv3d(8, 2, 1))

    def forward(self, x):
        return self.body(x)


class Probabilities(nn.Module):
    """What is exported: the softmax over the two channels (background, whole tumour)."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return torch.softmax(self.net(x), dim=1)


def synthetic_case(rng):
    """One MR-like volume in raw intensity units and its whole-tumour mask."""
    d, h, w = SHAPE
    z, y, x = np.meshgrid(np.arange(d), np.arange(h), np.arange(w), indexing="ij")
    brain = ((z - d / 2) / (d * 0.45)) ** 2 + ((y - h / 2) / (h * 0.42)) ** 2 + ((x - w / 2) / (w * 0.40)) ** 2 <= 1
    image = np.where(brain, 400.0, 30.0)
    mask = np.zeros(SHAPE, dtype=bool)
    for _ in range(rng.integers(1, 3)):
        c = [rng.uniform(d * 0.3, d * 0.7), rng.uniform(h * 0.3, h * 0.7), rng.uniform(w * 0.3, w * 0.7)]
        r = [rng.uniform(2.0, 4.0), rng.uniform(3.0, 7.0), rng.uniform(3.0, 7.0)]
        blob = ((z - c[0]) / r[0]) ** 2 + ((y - c[1]) / r[1]) ** 2 + ((x - c[2]) / r[2]) ** 2 <= 1
        mask |= blob & brain
    image = np.where(mask, rng.uniform(650.0, 900.0), image)
    image = image + rng.normal(0.0, 60.0, SHAPE)
    return image.astype(np.float32), mask


def preprocess(image):
    return (np.clip(image, *CLIP) * SCALE).astype(np.float32)


def batch(rng, n):
    cases = [synthetic_case(rng) for _ in range(n)]
    x = torch.from_numpy(np.stack([preprocess(i) for i, _ in cases])[:, None])
    y = torch.from_numpy(np.stack([m for _, m in cases]).astype(np.int64))
    return x, y


def dice(a, b):
    s = a.sum() + b.sum()
    return 1.0 if s == 0 else 2.0 * (a & b).sum() / s


def main(out):
    torch.manual_seed(SEED)
    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    rng = np.random.default_rng(SEED)
    net = TinySegNet()
    optimiser = torch.optim.Adam(net.parameters(), lr=0.01)
    # The tumour is a few per cent of the voxels: weighting it keeps the net from settling on "all background".
    loss_fn = nn.CrossEntropyLoss(weight=torch.tensor([1.0, 4.0]))
    start = time.time()
    print(f"torch {torch.__version__}, numpy {np.__version__}, seed {SEED}, threads {torch.get_num_threads()}, shape {SHAPE}, steps {STEPS}, batch {BATCH}")
    for step in range(1, STEPS + 1):
        x, y = batch(rng, BATCH)
        optimiser.zero_grad()
        loss = loss_fn(net(x), y)
        loss.backward()
        optimiser.step()
        if step % 25 == 0 or step == 1:
            print(f"step {step:4d}  loss {loss.item():.4f}")
    print(f"trained in {time.time() - start:.1f} s")

    net.eval()
    test_rng = np.random.default_rng(SEED + 1000)
    scores = []
    with torch.no_grad():
        for _ in range(16):
            image, mask = synthetic_case(test_rng)
            p = torch.softmax(net(torch.from_numpy(preprocess(image))[None, None]), dim=1)[0, 1].numpy()
            scores.append(dice(p >= 0.5, mask))
    print(f"held-out synthetic cases: 16, Dice mean {np.mean(scores):.4f}, min {np.min(scores):.4f}, max {np.max(scores):.4f}")

    os.makedirs(out, exist_ok=True)
    torch.save(net.state_dict(), os.path.join(out, "weights.pt"))
    model = Probabilities(net).eval()
    torch.onnx.export(model, torch.zeros(1, 1, *SHAPE), os.path.join(out, "model.onnx"), opset_version=17,
                      input_names=["image"], output_names=["probabilities"],
                      dynamic_axes={"image": {0: "N", 2: "D", 3: "H", 4: "W"}, "probabilities": {0: "N", 2: "D", 3: "H", 4: "W"}})
    print("exported model.onnx (opset 17)")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
