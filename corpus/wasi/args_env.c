// corpus/wasi: arguments and environment. Prints every argument after the
// program name and one environment variable, then the argument count.
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        printf("arg %d: [%s]\n", i, argv[i]);
    }
    const char *greeting = getenv("W2N_GREETING");
    printf("W2N_GREETING=%s\n", greeting ? greeting : "(unset)");
    printf("W2N_ABSENT=%s\n", getenv("W2N_ABSENT") ? "set" : "(unset)");
    printf("argc=%d\n", argc);
    return 0;
}
