/* Counter-based random numbers (Random123 Philox4x32-10), internal.
 *
 * Every draw is a pure function of (seed, purpose, entity, index): results do
 * not depend on the order in which work is done or on the number of threads.
 * The 64-bit seed is the key; the counter holds the index (64 bits), the entity
 * (e.g. a neuron or projection number) and the purpose.
 */
#ifndef MGSIM_RNG_H
#define MGSIM_RNG_H

#include <math.h>
#include <stdint.h>

#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wpedantic"
#endif
#include <Random123/philox.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

/* Purposes: each kind of randomness has its own stream. */
enum {
    MG_RNG_CONN = 1,    /* connectivity */
    MG_RNG_WEIGHT = 2,  /* synaptic weights */
    MG_RNG_DELAY = 3,   /* synaptic delays */
    MG_RNG_INIT = 4,    /* initial state */
    MG_RNG_POISSON = 5, /* Poisson inputs */
    MG_RNG_SOURCE = 6,  /* Poisson source populations */
    MG_RNG_USER = 64    /* first purpose free for other modules */
};

typedef struct {
    uint32_t w[4];
} mg_rng_block;

/* Four independent 32-bit words for (seed, purpose, entity, index). */
static inline mg_rng_block mg_rng_draw(uint64_t seed, uint32_t purpose, uint32_t entity,
                                       uint64_t index) {
    philox4x32_ctr_t c = {{(uint32_t)index, (uint32_t)(index >> 32), entity, purpose}};
    philox4x32_key_t k = {{(uint32_t)seed, (uint32_t)(seed >> 32)}};
    philox4x32_ctr_t r = philox4x32(c, k);
    mg_rng_block b = {{r.v[0], r.v[1], r.v[2], r.v[3]}};
    return b;
}

/* A double uniform in (0, 1] from two 32-bit words (53 bits). */
static inline double mg_rng_u01(uint32_t hi, uint32_t lo) {
    uint64_t m = ((uint64_t)hi << 21) ^ (uint64_t)(lo >> 11);
    m &= (1ull << 53) - 1;
    return ((double)m + 1.0) * (1.0 / 9007199254740992.0);
}

/* Uniform (0, 1] for (seed, purpose, entity, index). */
static inline double mg_rng_uniform(uint64_t seed, uint32_t purpose, uint32_t entity,
                                    uint64_t index) {
    mg_rng_block b = mg_rng_draw(seed, purpose, entity, index);
    return mg_rng_u01(b.w[0], b.w[1]);
}

/* Standard normal (Box–Muller) for (seed, purpose, entity, index). */
static inline double mg_rng_normal(uint64_t seed, uint32_t purpose, uint32_t entity,
                                   uint64_t index) {
    mg_rng_block b = mg_rng_draw(seed, purpose, entity, index);
    double u1 = mg_rng_u01(b.w[0], b.w[1]), u2 = mg_rng_u01(b.w[2], b.w[3]);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

#endif /* MGSIM_RNG_H */
