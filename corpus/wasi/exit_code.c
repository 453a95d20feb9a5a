// corpus/wasi: a message on stderr and a non-zero exit status (proc_exit).
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    fprintf(stderr, "leaving with status 42\n");
    exit(42);
}
