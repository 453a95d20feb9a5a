// corpus/wasi: integer and floating-point work printed through printf:
// a sieve, 64-bit arithmetic, qsort, and float formatting.
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static int compare(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int main(void) {
    static char composite[10001];
    int primes = 0;
    for (int i = 2; i <= 10000; i++) {
        if (!composite[i]) {
            primes++;
            for (int j = 2 * i; j <= 10000; j += i) composite[j] = 1;
        }
    }
    printf("primes below 10001: %d\n", primes);
    uint64_t h = 1469598103934665603ull;
    for (int i = 0; i < 1000; i++) h = (h ^ (uint64_t)i) * 1099511628211ull;
    printf("fnv-1a of 0..999: %016llx\n", (unsigned long long)h);
    int64_t values[8] = {5, -3, 9000000000ll, 0, -9000000000ll, 42, 7, -1};
    qsort(values, 8, sizeof values[0], compare);
    for (int i = 0; i < 8; i++) printf("%lld%s", (long long)values[i], i < 7 ? " " : "\n");
    double sum = 0;
    for (int i = 1; i <= 100; i++) sum += sqrt((double)i);
    printf("sum of sqrt(1..100) = %.6f, floor = %.1f, pi ~ %.10f\n", sum, floor(sum), 4.0 * atan(1.0));
    printf("int division: %d %d, remainder: %d %d\n", 7 / 2, -7 / 2, 7 % 3, -7 % 3);
    return 0;
}
