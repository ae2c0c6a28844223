/* prng.h - the small deterministic generator that generate and forecast share: splitmix64 to
 * seed, xoshiro256** to draw. Never rand(): outputs must be the same on every machine. */
#ifndef PURGESIM_PRNG_H
#define PURGESIM_PRNG_H

#include <stdint.h>

struct rng {
    uint64_t s[4];
};

static inline uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static inline void rng_seed(struct rng *g, uint64_t key)
{
    uint64_t x = key;
    for (int i = 0; i < 4; i++) g->s[i] = splitmix(&x);
    if (!(g->s[0] | g->s[1] | g->s[2] | g->s[3])) g->s[0] = 1;   /* xoshiro's one bad state */
}

static inline uint64_t rng_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(struct rng *g)
{
    uint64_t *s = g->s;
    uint64_t r = rng_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rng_rotl(s[3], 45);
    return r;
}

#endif
