#!/usr/bin/env python3
"""Values computed by the PyTorch peers themselves, for tests that pin the workbench to the peer.
Needs the peer's environment (scripts/peer-setup.sh): `make peer-references` runs it there.
Never type these numbers by hand.

Output (Tests/WorkbenchTests/Resources/peer-embedding.csv): `t,e0,...,e31`, the toy2d peer's
time embedding [sin(t*f), cos(t*f)] exactly as scripts/peer/toy2d.py's MLP.forward computes it (float32
argument t.float() * FREQUENCIES), each value the exact float32 printed in full.
"""
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "peer"))
import toy2d  # noqa: E402  (the peer; importing it runs no command)

STEPS = [1, 2, 10, 100, 250, 500, 999, 1000]


def main():
    t = torch.tensor(STEPS, dtype=torch.long)
    arg = t.float()[:, None] * toy2d.FREQUENCIES[None, :]
    emb = torch.cat([torch.sin(arg), torch.cos(arg)], dim=1)
    print("t," + ",".join(f"e{i}" for i in range(emb.shape[1])))
    for step, row in zip(STEPS, emb.tolist()):
        print(f"{step}," + ",".join(repr(v) for v in row))


if __name__ == "__main__":
    main()
