/* Branch-free exp() for the neuron kernels, internal.
 *
 * glibc's vector exp is only declared under -ffast-math, which we do not use;
 * this version vectorises under plain -O2/-O3. Range reduction x = k ln2 + r
 * (Cody–Waite, two-part ln2), |r| <= ln2/2, then a degree-13 Taylor polynomial
 * (truncation error < 2e-16 relative) and scaling by 2^k through the exponent
 * bits. Inputs are clamped to [-708, 708] (results stay normal). Accuracy is
 * checked against libm over the range in tests/test_engine.c (max 4 ulp).
 */
#ifndef MGSIM_FASTMATH_H
#define MGSIM_FASTMATH_H

#include <math.h>
#include <stdint.h>
#include <string.h>

static inline double mg_fast_exp(double x) {
    x = x < -708.0 ? -708.0 : x;
    x = x > 708.0 ? 708.0 : x;
    const double shift = 6755399441055744.0; /* 1.5 * 2^52: rounds to integer in the low bits */
    double kf = x * 1.4426950408889634 + shift;
    double k = kf - shift;
    double r = x - k * 0.6931471803691238; /* ln2 high part (exact in k*hi for |k| < 2^20) */
    r = r - k * 1.9082149292705877e-10;    /* ln2 low part */
    double p = 1.0 / 6227020800.0;         /* 1/13! */
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    int64_t ki;
    memcpy(&ki, &kf, sizeof ki);
    ki = (ki - (int64_t)0x4338000000000000LL) + 1023; /* k + bias */
    uint64_t bits = (uint64_t)ki << 52;
    double scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

/* Single-precision version: |r| <= ln2/2, degree-7 Taylor polynomial (truncation error
 * < 3e-9 relative, below float's 6e-8), inputs clamped to [-87, 88]. Max error 2 ulp
 * (tests/test_engine.c). */
static inline float mg_fast_expf(float x) {
    x = x < -87.0f ? -87.0f : x;
    x = x > 88.0f ? 88.0f : x;
    const float shift = 12582912.0f; /* 1.5 * 2^23 */
    float kf = x * 1.44269504f + shift;
    float k = kf - shift;
    float r = x - k * 0.693145751953125f; /* ln2 high part, exact in k*hi */
    r = r - k * 1.428606765330187e-06f;   /* ln2 low part */
    float p = 1.0f / 5040.0f;
    p = p * r + 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    int32_t ki;
    memcpy(&ki, &kf, sizeof ki);
    ki = (ki - 0x4B400000) + 127; /* k + bias */
    uint32_t bits = (uint32_t)ki << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

#endif /* MGSIM_FASTMATH_H */
