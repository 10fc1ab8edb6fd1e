/*
 * TA-Lib's C code timed natively on the benchmark's candles: the reference the TypeScript
 * indicators are compared with (the Node binding spends its time copying arrays).
 * Usage: talib-native <candles.bin> <repetitions>
 * candles.bin: int64 n, then n doubles each of high, low, close (little-endian).
 * Prints one JSON object: ns per element (best of the repetitions) and each op's last value.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "ta_libc.h"

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void check(TA_RetCode rc, const char *what) {
  if (rc != TA_SUCCESS) {
    fprintf(stderr, "%s failed: TA_RetCode %d\n", what, (int)rc);
    exit(2);
  }
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s candles.bin repetitions\n", argv[0]);
    return 1;
  }
  FILE *f = fopen(argv[1], "rb");
  if (!f) {
    perror(argv[1]);
    return 1;
  }
  int64_t n64 = 0;
  if (fread(&n64, sizeof n64, 1, f) != 1 || n64 < 2 || n64 > 100000000) {
    fprintf(stderr, "bad header in %s\n", argv[1]);
    return 1;
  }
  int n = (int)n64;
  int reps = atoi(argv[2]);
  double *high = malloc(sizeof(double) * n), *low = malloc(sizeof(double) * n);
  double *close = malloc(sizeof(double) * n), *out = malloc(sizeof(double) * n);
  double *ret = malloc(sizeof(double) * n);
  if (fread(high, sizeof(double), n, f) != (size_t)n || fread(low, sizeof(double), n, f) != (size_t)n ||
      fread(close, sizeof(double), n, f) != (size_t)n) {
    fprintf(stderr, "short read in %s\n", argv[1]);
    return 1;
  }
  fclose(f);
  check(TA_Initialize(), "TA_Initialize");

  int beg = 0, nb = 0;
  double best, t0, last;
  printf("{");

  best = INFINITY;
  for (int r = 0; r < reps; r++) {
    t0 = now_ns();
    check(TA_EMA(0, n - 1, close, 20, &beg, &nb, out), "TA_EMA");
    best = fmin(best, now_ns() - t0);
  }
  printf("\"ema20\":{\"ns\":%.4f,\"last\":%.17g},", best / n, out[nb - 1]);

  best = INFINITY;
  for (int r = 0; r < reps; r++) {
    t0 = now_ns();
    check(TA_SMA(0, n - 1, close, 20, &beg, &nb, out), "TA_SMA");
    best = fmin(best, now_ns() - t0);
  }
  printf("\"sma20\":{\"ns\":%.4f,\"last\":%.17g},", best / n, out[nb - 1]);

  best = INFINITY;
  for (int r = 0; r < reps; r++) {
    t0 = now_ns();
    check(TA_ATR(0, n - 1, high, low, close, 14, &beg, &nb, out), "TA_ATR");
    best = fmin(best, now_ns() - t0);
  }
  printf("\"atr14\":{\"ns\":%.4f,\"last\":%.17g},", best / n, out[nb - 1]);

  /* Log returns, then TA_STDDEV (population, from running sums) rescaled to the sample std. */
  best = INFINITY;
  const double sample = sqrt(100.0 / 99.0);
  for (int r = 0; r < reps; r++) {
    t0 = now_ns();
    for (int i = 1; i < n; i++) ret[i] = log(close[i] / close[i - 1]);
    check(TA_STDDEV(0, n - 2, ret + 1, 100, 1.0, &beg, &nb, out), "TA_STDDEV");
    for (int i = 0; i < nb; i++) out[i] *= sample;
    best = fmin(best, now_ns() - t0);
  }
  last = out[nb - 1];
  printf("\"logvol100\":{\"ns\":%.4f,\"last\":%.17g}", best / n, last);

  printf("}\n");
  TA_Shutdown();
  return 0;
}
