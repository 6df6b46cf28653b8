#!/usr/bin/env python3
"""High-precision reference values for the workbench's tests, computed independently with mpmath
(50 significant digits). Regenerate with `make references`; never type these numbers by hand.

Output: CSV rows `case,t,beta,alpha,alphaBar,sqrtAlphaBar,sqrtOneMinusAlphaBar,betaTilde,
posteriorMeanCoefX0,posteriorMeanCoefXt,snr` for the schedules the tests check, then rows
`priorBits,<T>,<value>` with L_T in bits/dim for 8-bit data x0 = -1 + 2k/255 (k = 0..255).
"""
from mpmath import mp, mpf, sqrt, log, nstr

mp.dps = 50


def linear(T, start, end):
    start, end = mpf(start), mpf(end)
    if T == 1:
        return [start]
    return [start + (end - start) * i / (T - 1) for i in range(T)]


def quadratic(T, start, end):
    return [b * b for b in linear(T, sqrt(mpf(start)), sqrt(mpf(end)))]


def cosine(T, s="0.008"):
    s = mpf(s)
    f = [mp.cos((mpf(t) / T + s) / (1 + s) * mp.pi / 2) ** 2 for t in range(T + 1)]
    return [min(1 - f[t] / f[t - 1], mpf("0.999")) for t in range(1, T + 1)]


def rows(name, betas):
    out = []
    abar_prev = mpf(1)
    for t, beta in enumerate(betas, start=1):
        alpha = 1 - beta
        abar = abar_prev * alpha
        beta_tilde = (1 - abar_prev) / (1 - abar) * beta
        coef_x0 = sqrt(abar_prev) * beta / (1 - abar)
        coef_xt = sqrt(alpha) * (1 - abar_prev) / (1 - abar)
        values = [beta, alpha, abar, sqrt(abar), sqrt(1 - abar), beta_tilde, coef_x0, coef_xt, abar / (1 - abar)]
        out.append(",".join([name, str(t)] + [nstr(v, 30, min_fixed=0, max_fixed=0) for v in values]))
        abar_prev = abar
    return out, abar_prev


def prior_bits(abar_T):
    pixels = [mpf(-1) + mpf(2) * k / 255 for k in range(256)]
    nats = sum(abar_T * x * x - abar_T - log(1 - abar_T) for x in pixels) / 2
    return nats / (len(pixels) * log(2))


print("case,t,beta,alpha,alphaBar,sqrtAlphaBar,sqrtOneMinusAlphaBar,betaTilde,posteriorMeanCoefX0,posteriorMeanCoefXt,snr")
for name, betas in [
    ("linear1000", linear(1000, "1e-4", "0.02")),
    ("quadratic1000", quadratic(1000, "1e-4", "0.02")),
    ("linear50", linear(50, "1e-4", "0.02")),
    ("cosine1000", cosine(1000)),
]:
    lines, abar_T = rows(name, betas)
    print("\n".join(lines))
    print(f"priorBits,{len(betas)},{nstr(prior_bits(abar_T), 30, min_fixed=0, max_fixed=0)}")

# ---- The seeded generator, implemented again from its published definition (SplitMix64 seeding,
# xoshiro256**, top 53 bits for uniforms, Box-Muller for normals), to pin SeededGenerator's output.
M64 = (1 << 64) - 1


def splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & M64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return state, z ^ (z >> 31)


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & M64


def xoshiro(seed):
    s, words = seed, []
    for _ in range(4):
        s, z = splitmix64(s)
        words.append(z)
    while True:
        result = (rotl((words[1] * 5) & M64, 7) * 9) & M64
        t = (words[1] << 17) & M64
        words[2] ^= words[0]
        words[3] ^= words[1]
        words[1] ^= words[2]
        words[0] ^= words[3]
        words[2] ^= t
        words[3] = rotl(words[3], 45)
        yield result


import math

for seed in (0, 42, 2**64 - 1):
    g = xoshiro(seed)
    for i in range(8):
        print(f"rngBits,{seed},{i},{next(g)}")
g = xoshiro(7)
for i in range(4):  # Box-Muller pairs: u1 = 1 - uniform, u2 = uniform; cosine draw first, then sine
    u1 = 1 - (next(g) >> 11) * 2.0**-53
    u2 = (next(g) >> 11) * 2.0**-53
    r = math.sqrt(-2 * math.log(u1))
    print(f"rngNormal,7,{2 * i},{r * math.cos(2 * math.pi * u2)!r}")
    print(f"rngNormal,7,{2 * i + 1},{r * math.sin(2 * math.pi * u2)!r}")

# ---- Eq. (13), the discrete decoder: log P(level k | mu, sigma) for K levels, the edge bins reaching
# to +-infinity, evaluated with 50 digits through erfc on the side where the tail is small (no cancellation).
from mpmath import erfc as mp_erfc, inf as mp_inf


def decoder_log_probability(K, k, mu, sigma):
    mu, sigma = mpf(mu), mpf(sigma)
    h = mpf(1) / (K - 1)
    v = -1 + 2 * k * h
    a = -mp_inf if k == 0 else (v - h - mu) / sigma
    b = mp_inf if k == K - 1 else (v + h - mu) / sigma
    r = 1 / sqrt(2)

    def upper(z):  # 1 - Phi(z) = erfc(z / sqrt 2) / 2
        return mpf(0) if z == mp_inf else (mpf(1) if z == -mp_inf else mp_erfc(z * r) / 2)

    if a >= 0:
        mass = upper(a) - upper(b)
    elif b <= 0:
        mass = upper(-b) - upper(-a)
    else:
        mass = 1 - upper(b) - upper(-a)
    return log(mass)


for K in (256, 17):
    for k in (0, 1, K // 2, K - 2, K - 1):
        for mu in ("-1", "-0.3", "0", "0.2", "0.999", "1.5"):
            for sigma in ("1e-4", "0.01", "0.3", "5"):
                value = decoder_log_probability(K, k, mu, sigma)
                print(f"decoderLogP,{K},{k},{mu},{sigma},{nstr(value, 30, min_fixed=0, max_fixed=0)}")
