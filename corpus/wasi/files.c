// corpus/wasi: files in the preopened directory. Reads input.txt line by
// line, seeks back and rereads a slice, reports its size, and shows the
// error of opening a file that does not exist.
#include <errno.h>
#include <stdio.h>
#include <string.h>

int main(void) {
    FILE *f = fopen("input.txt", "r");
    if (!f) {
        printf("cannot open input.txt: %s\n", strerror(errno));
        return 1;
    }
    char line[128];
    int lines = 0;
    while (fgets(line, sizeof line, f)) {
        lines++;
        printf("%d: %s", lines, line);
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 6, SEEK_SET);
    char slice[6] = {0};
    size_t got = fread(slice, 1, 5, f);
    printf("lines=%d size=%ld slice(6,5)=[%s] (%zu bytes)\n", lines, size, slice, got);
    fclose(f);
    FILE *missing = fopen("no-such-file.txt", "r");
    printf("no-such-file.txt: %s\n", missing ? "opened?!" : strerror(errno));
    return 0;
}
