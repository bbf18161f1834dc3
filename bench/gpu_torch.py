#!/usr/bin/env python3
"""The PyTorch (cuDNN) peer of bench/gpu.sh: VGG-16, ResNet-50 v1 and
MobileNet-v1 with TF-Slim's layer shapes, timed on the same GPU.

The nets are written out here layer by layer (the GPU machine has no network
for torchvision weights, and TF-Slim's ResNet-50 strides in the last unit of
each block, unlike torchvision's). Batch norm is left out because slimc folds
it into the convolutions at load time: both sides run conv + bias + activation
(+ residual). Weights are random: this script measures speed only; numerics
are checked by test/gpu/run.sh against the CPU outputs.

Setup as the issue asks: channels_last memory format,
torch.backends.cudnn.benchmark = True, and the precision of the slimc run
(fp32 with TF32 disabled, tf32, bf16 or fp16 autocast-free casts of model and
input). Prints one JSON object per measurement: eager latency (median of
--iters runs after --warmup), and the latency of the same forward pass
replayed as a CUDA graph.

Usage: gpu_torch.py --net vgg_16 --batch 1 [--precision fp32] [--iters 50]
"""

import argparse
import json
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def conv(cin, cout, k, stride=1, act=True, groups=1):
    layers = [nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2,
                        groups=groups, bias=True)]
    if act:
        layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)


class Vgg16(nn.Module):
    def __init__(self):
        super().__init__()
        cfg = [(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)]
        layers, cin = [], 3
        for cout, reps in cfg:
            for _ in range(reps):
                layers.append(conv(cin, cout, 3))
                cin = cout
            layers.append(nn.MaxPool2d(2, 2))
        self.features = nn.Sequential(*layers)
        # fc6-fc8 as convolutions, as TF-Slim's vgg_16 defines them.
        self.fc6 = nn.Conv2d(512, 4096, 7)
        self.fc7 = nn.Conv2d(4096, 4096, 1)
        self.fc8 = nn.Conv2d(4096, 1000, 1)

    def forward(self, x):
        x = self.features(x)
        x = F.relu(self.fc6(x))
        x = F.relu(self.fc7(x))
        return self.fc8(x).flatten(1)


class Bottleneck(nn.Module):
    def __init__(self, cin, depth, bottleneck, stride):
        super().__init__()
        self.shortcut = None
        if depth != cin:
            self.shortcut = nn.Conv2d(cin, depth, 1, stride=stride)
        self.stride = stride
        self.conv1 = conv(cin, bottleneck, 1)
        self.conv2 = conv(bottleneck, bottleneck, 3, stride=stride)
        self.conv3 = nn.Conv2d(bottleneck, depth, 1)

    def forward(self, x):
        if self.shortcut is not None:
            s = self.shortcut(x)
        elif self.stride > 1:
            s = x[:, :, ::self.stride, ::self.stride]
        else:
            s = x
        return F.relu(self.conv3(self.conv2(self.conv1(x))) + s)


class Resnet50(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = conv(3, 64, 7, stride=2)
        self.pool = nn.MaxPool2d(3, 2, padding=1)
        units, cin = [], 64
        # TF-Slim's resnet_v1_50: the stride sits in the last unit of blocks
        # 1-3.
        for depth, bottleneck, n, stride in [(256, 64, 3, 2), (512, 128, 4, 2),
                                             (1024, 256, 6, 2),
                                             (2048, 512, 3, 1)]:
            for i in range(n):
                units.append(Bottleneck(cin, depth, bottleneck,
                                        stride if i == n - 1 else 1))
                cin = depth
        self.units = nn.Sequential(*units)
        self.logits = nn.Conv2d(2048, 1000, 1)

    def forward(self, x):
        x = self.units(self.pool(self.conv1(x)))
        x = x.mean(dim=(2, 3), keepdim=True)
        return self.logits(x).flatten(1)


class MobilenetV1(nn.Module):
    def __init__(self):
        super().__init__()
        layers = [conv(3, 32, 3, stride=2)]
        cin = 32
        for stride, cout in [(1, 64), (2, 128), (1, 128), (2, 256), (1, 256),
                             (2, 512)] + [(1, 512)] * 5 + [(2, 1024),
                                                           (1, 1024)]:
            layers.append(conv(cin, cin, 3, stride=stride, groups=cin))
            layers.append(conv(cin, cout, 1))
            cin = cout
        self.features = nn.Sequential(*layers)
        self.logits = nn.Conv2d(1024, 1000, 1)

    def forward(self, x):
        x = F.avg_pool2d(self.features(x), 7)
        return self.logits(x).flatten(1)


NETS = {"vgg_16": Vgg16, "resnet_v1_50": Resnet50,
        "mobilenet_v1": MobilenetV1}


def median_ms(fn, warmup, iters):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(iters):
        start = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--net", choices=sorted(NETS), required=True)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--precision", default="fp32",
                        choices=["fp32", "tf32", "bf16", "fp16"])
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--iters", type=int, default=50)
    args = parser.parse_args()

    torch.backends.cudnn.benchmark = True
    tf32 = args.precision == "tf32"
    torch.backends.cudnn.allow_tf32 = tf32
    torch.backends.cuda.matmul.allow_tf32 = tf32
    dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(
        args.precision, torch.float32)

    torch.manual_seed(0)
    model = NETS[args.net]().cuda().eval().to(dtype)
    model = model.to(memory_format=torch.channels_last)
    x = torch.randn(args.batch, 3, 224, 224, device="cuda", dtype=dtype)
    x = x.contiguous(memory_format=torch.channels_last)

    with torch.inference_mode():
        eager = median_ms(lambda: model(x), args.warmup, args.iters)
        graph = torch.cuda.CUDAGraph()
        stream = torch.cuda.Stream()
        stream.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(stream):
            for _ in range(3):
                model(x)
        torch.cuda.current_stream().wait_stream(stream)
        with torch.cuda.graph(graph):
            model(x)
        graphed = median_ms(graph.replay, args.warmup, args.iters)

    print(json.dumps({
        "peer": "pytorch", "torch": torch.__version__,
        "cudnn": torch.backends.cudnn.version(),
        "gpu": torch.cuda.get_device_name(0), "net": args.net,
        "batch": args.batch, "precision": args.precision,
        "eager_ms": round(eager, 4), "graph_ms": round(graphed, 4)}))


if __name__ == "__main__":
    main()
