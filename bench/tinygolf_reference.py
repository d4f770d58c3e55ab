"""PyTorch reference for bench/tinygolf-throughput: Tiny Golf's model and optimizer step, same shapes.

Tied byte embeddings, RMSNorm without gain, causal multi-head attention with RoPE on channel pairs
(c, c + hd/2), squared-ReLU MLP, per-channel attn/mlp scales, soft-capped logits, AdamW with one
learning rate per group. Prints tokens/s over the timed steps, and a float32 matmul peak (GFLOP/s).
"""
import math
import sys
import time

import torch
import torch.nn.functional as F


def rope_tables(T, hd, base):
    half = hd // 2
    inv = base ** (-2.0 * torch.arange(half, dtype=torch.float64) / hd)
    ang = torch.arange(T, dtype=torch.float64)[:, None] * inv[None, :]
    return torch.cos(ang).float(), torch.sin(ang).float()


def rope(x, cos, sin):  # x: B, H, T, hd
    half = x.shape[-1] // 2
    x1, x2 = x[..., :half], x[..., half:]
    return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1)


class Block(torch.nn.Module):
    def __init__(self, D, H, F_):
        super().__init__()
        self.H = H
        self.q = torch.nn.Linear(D, D, bias=False)
        self.k = torch.nn.Linear(D, D, bias=False)
        self.v = torch.nn.Linear(D, D, bias=False)
        self.o = torch.nn.Linear(D, D, bias=False)
        self.fc = torch.nn.Linear(D, F_, bias=False)
        self.proj = torch.nn.Linear(F_, D, bias=False)
        self.attn_scale = torch.nn.Parameter(torch.ones(D))
        self.mlp_scale = torch.nn.Parameter(torch.ones(D))

    def forward(self, x, cos, sin):
        B, T, D = x.shape
        hd = D // self.H
        n = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6)
        q = self.q(n).view(B, T, self.H, hd).transpose(1, 2)
        k = self.k(n).view(B, T, self.H, hd).transpose(1, 2)
        v = self.v(n).view(B, T, self.H, hd).transpose(1, 2)
        q, k = rope(q, cos, sin), rope(k, cos, sin)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(hd)  # Debian's torch 1.13 has no scaled_dot_product_attention
        att = att.masked_fill(torch.ones(T, T, dtype=torch.bool).triu(1), float("-inf"))
        a = torch.softmax(att, dim=-1) @ v
        x = x + self.attn_scale * self.o(a.transpose(1, 2).reshape(B, T, D))
        n = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6)
        return x + self.mlp_scale * self.proj(torch.relu(self.fc(n)).square())


def main():
    L, D, H, mult, T, batch_tokens, steps, threads = (int(a) for a in sys.argv[1:9])
    torch.set_num_threads(threads)
    torch.manual_seed(1337)
    emb = torch.nn.Parameter(torch.randn(256, D) * 0.005)
    blocks = torch.nn.ModuleList(Block(D, H, mult * D) for _ in range(L))
    cos, sin = rope_tables(T, D // H, 10000.0)
    opt = torch.optim.AdamW([{"params": [emb], "lr": 0.01},
                             {"params": [p for b in blocks for n_, p in b.named_parameters() if p.ndim == 2], "lr": 0.004},
                             {"params": [p for b in blocks for n_, p in b.named_parameters() if p.ndim == 1], "lr": 0.004}],
                            betas=(0.9, 0.95), eps=1e-8, weight_decay=0.0)
    B = batch_tokens // T
    data = torch.randint(0, 256, (steps + 1, B, T + 1))
    warm = 10
    for step in range(steps):
        if step == warm:
            t0 = time.perf_counter()
        x, y = data[step, :, :-1], data[step, :, 1:]
        h = emb[x]
        for b in blocks:
            h = b(h, cos, sin)
        h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + 1e-6)
        logits = 30.0 * torch.tanh((h @ emb.t()) / 30.0)
        loss = F.cross_entropy(logits.view(-1, 256), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_([emb] + list(blocks.parameters()), 1.0)
        opt.step()
    dt = time.perf_counter() - t0
    print(f"torch_tokens_per_s {(steps - warm) * B * T / dt:.1f}")
    a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
    for _ in range(3):
        a @ b
    best = math.inf
    for _ in range(10):
        t = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t)
    print(f"matmul_peak_gflops {2 * 1024 ** 3 / best / 1e9:.1f}")
    print(f"torch_version {torch.__version__}")


if __name__ == "__main__":
    main()
