#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *roots[16];
static size_t n_roots;
static unsigned long checks, failures;

json_t *util_cases(const char *file) {
    const char *dir = getenv("COUNTERMARK_VECTORS");
    char path[4096];
    json_error_t err;
    json_t *root;
    json_t *cases;
    if (dir == NULL) {
        dir = "../shared/vectors";
    }
    snprintf(path, sizeof path, "%s/%s", dir, file);
    root = json_load_file(path, 0, &err);
    if (root == NULL) {
        fprintf(stderr, "cannot read %s: %s (line %d)\n", path, err.text, err.line);
        exit(2);
    }
    if (n_roots < sizeof roots / sizeof roots[0]) {
        roots[n_roots++] = root;
    }
    cases = json_object_get(root, "cases");
    if (!json_is_array(cases) || json_array_size(cases) == 0) {
        fprintf(stderr, "%s has no cases\n", path);
        exit(2);
    }
    return cases;
}

const char *util_str(const json_t *obj, const char *key) {
    return json_string_value(json_object_get(obj, key));
}

static int nibble(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

uint8_t *util_hex(const char *hex, size_t *len) {
    size_t n = strlen(hex);
    size_t i;
    uint8_t *out;
    if (n % 2 != 0) {
        fprintf(stderr, "odd hex length\n");
        exit(2);
    }
    out = malloc(n / 2 + 1);
    if (out == NULL) exit(2);
    for (i = 0; i < n / 2; i++) {
        int hi = nibble(hex[2 * i]);
        int lo = nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            fprintf(stderr, "bad hex\n");
            exit(2);
        }
        out[i] = (uint8_t)(hi * 16 + lo);
    }
    *len = n / 2;
    return out;
}

void util_check(int ok, const char *where, const char *what) {
    checks++;
    if (!ok) {
        failures++;
        fprintf(stderr, "FAILED %s: %s\n", where, what);
    }
}

int util_finish(const char *suite) {
    size_t i;
    for (i = 0; i < n_roots; i++) {
        json_decref(roots[i]);
    }
    printf("%s: %lu checks, %lu failed\n", suite, checks, failures);
    return failures == 0 && checks > 0 ? 0 : 1;
}
