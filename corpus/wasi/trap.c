// corpus/wasi: a trap. Divides by an argument count that makes the divisor
// zero, which Wasm's i32.div_s turns into an integer-divide-by-zero trap.
#include <stdio.h>

int main(int argc, char **argv) {
    (void)argv;
    volatile int divisor = argc - 1;
    printf("about to divide by %d\n", divisor);
    fflush(stdout);
    printf("%d\n", 100 / divisor);
    return 0;
}
