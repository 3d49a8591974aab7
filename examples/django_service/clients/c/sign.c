/* sign: prints the header lines that sign one HTTP request, in one of four schemes, through the countermark C ABI.
 *
 *   sign SCHEME --key-id ID --method M --url URL [--body-file F] [--content-type CT] [--user NAME]
 *               [--private-key-file PEM]
 *
 * The same interface and output as `countermark request sign` and the Go client (../go): see ../README.md.
 * The shared secret comes from the environment variable COUNTERMARK_SECRET only (base64 of 32 random bytes).
 * Exit codes: 0 signed, 1 the request could not be signed, 2 usage or configuration error.
 *
 * Build (from the repository root, after `make ffi`):
 *   gcc -std=c11 -Wall -Wextra -Werror -Iinclude examples/django_service/clients/c/sign.c \
 *       target/release/libcountermark.a -lm -ldl -pthread -o sign */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "countermark.h"

#define EXIT_SIGNING 1
#define EXIT_USAGE 2
#define SECRET_ENV "COUNTERMARK_SECRET"
#define S(text) (const uint8_t *)(text), strlen(text)

static const char USAGE[] =
    "usage: sign SCHEME --key-id ID --method M --url URL [--body-file F] [--content-type CT] [--user NAME]\n"
    "            [--private-key-file PEM]\n"
    "SCHEME: hmac, fost, rfc9421 or jwt. The shared secret is read from " SECRET_ENV " (base64) only.\n"
    "Prints one `Name: value` line per header to add to the request.\n";

/* ------------------------------------------------------------------------------------------- small helpers */

static int usage_error(const char *fmt, ...) {
    va_list ap;
    fputs("sign: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\n", stderr);
    fputs(USAGE, stderr);
    return EXIT_USAGE;
}

/* Reports a library error (its message and stable name) and returns `code`. */
static int lib_error(int code, const char *what, countermark_result r) {
    char msg[256];
    size_t n = 0;
    if (countermark_error(r, (uint8_t *)msg, sizeof msg, &n) != COUNTERMARK_RESULT_OK) {
        msg[0] = '\0';
    }
    fprintf(stderr, "sign: %s: %s (%s)\n", what, msg, countermark_result_name(r));
    return code;
}

static void wipe(void *p, size_t n) {
    volatile unsigned char *v = p;
    while (n-- > 0) {
        *v++ = 0;
    }
}

/* Reads a whole file; *out is NULL for an empty one. 0 on success. */
static int read_file(const char *path, uint8_t **out, size_t *out_len) {
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    if (f == NULL) {
        fprintf(stderr, "sign: cannot read %s\n", path);
        return -1;
    }
    for (;;) {
        size_t got;
        if (len == cap) {
            size_t ncap = cap == 0 ? 4096 : cap * 2;
            uint8_t *nbuf = realloc(buf, ncap);
            if (nbuf == NULL) {
                free(buf);
                fclose(f);
                fprintf(stderr, "sign: out of memory reading %s\n", path);
                return -1;
            }
            buf = nbuf;
            cap = ncap;
        }
        got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) {
            break;
        }
    }
    if (ferror(f)) {
        free(buf);
        fclose(f);
        fprintf(stderr, "sign: cannot read %s\n", path);
        return -1;
    }
    fclose(f);
    if (len == 0) {
        free(buf);
        buf = NULL;
    }
    *out = buf;
    *out_len = len;
    return 0;
}

/* The output: header lines collected first, printed only when every step succeeded. */
typedef struct {
    char *text;
    size_t len, cap;
} lines_t;

static int add_line(lines_t *lines, const char *name, const uint8_t *value, size_t value_len) {
    size_t need = strlen(name) + 2 + value_len + 1;
    if (lines->cap - lines->len < need + 1) {
        size_t ncap = (lines->cap + need + 1) * 2;
        char *ntext = realloc(lines->text, ncap);
        if (ntext == NULL) {
            fputs("sign: out of memory\n", stderr);
            return -1;
        }
        lines->text = ntext;
        lines->cap = ncap;
    }
    lines->len += (size_t)sprintf(lines->text + lines->len, "%s: ", name);
    memcpy(lines->text + lines->len, value, value_len);
    lines->len += value_len;
    lines->text[lines->len++] = '\n';
    lines->text[lines->len] = '\0';
    return 0;
}

/* Adds the claim `claim` of `claims` as the header line `name`. */
static int add_claim(lines_t *lines, const char *name, const countermark_claims *claims, const char *claim) {
    countermark_str value;
    countermark_result r = countermark_claims_get(claims, S(claim), &value);
    if (r != COUNTERMARK_RESULT_OK) return lib_error(EXIT_SIGNING, claim, r);
    return add_line(lines, name, value.data, value.len) == 0 ? 0 : EXIT_SIGNING;
}

/* ---------------------------------------------------------------------------------------------- arguments */

typedef struct {
    const char *scheme, *key_id, *method, *url, *body_file, *content_type, *user, *private_key_file;
} args_t;

static int parse_args(int argc, char **argv, args_t *a) {
    static const char *const names[] = {"--key-id", "--method", "--url", "--body-file", "--content-type",
                                        "--user", "--private-key-file"};
    const char **slots[] = {&a->key_id, &a->method, &a->url, &a->body_file, &a->content_type, &a->user,
                            &a->private_key_file};
    int i;
    for (i = 1; i < argc; i++) {
        const char *arg = argv[i];
        size_t k;
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            fputs(USAGE, stdout);
            exit(0);
        }
        if (strncmp(arg, "--", 2) != 0) {
            if (a->scheme != NULL) return usage_error("unexpected argument '%s'", arg);
            a->scheme = arg;
            continue;
        }
        for (k = 0; k < sizeof names / sizeof names[0]; k++) {
            size_t n = strlen(names[k]);
            const char *value;
            if (strncmp(arg, names[k], n) != 0 || (arg[n] != '\0' && arg[n] != '=')) continue;
            if (arg[n] == '=') {
                value = arg + n + 1;
            } else if (i + 1 < argc) {
                value = argv[++i];
            } else {
                return usage_error("%s needs a value", names[k]);
            }
            if (*slots[k] != NULL) return usage_error("%s given twice", names[k]);
            *slots[k] = value;
            break;
        }
        if (k == sizeof names / sizeof names[0]) return usage_error("unknown option '%s'", arg);
    }
    if (a->scheme == NULL) return usage_error("SCHEME is required (hmac, fost, rfc9421 or jwt)");
    if (strcmp(a->scheme, "hmac") != 0 && strcmp(a->scheme, "fost") != 0 && strcmp(a->scheme, "rfc9421") != 0 &&
        strcmp(a->scheme, "jwt") != 0) {
        return usage_error("unknown scheme '%s' (hmac, fost, rfc9421 or jwt)", a->scheme);
    }
    if (a->method == NULL) return usage_error("--method is required");
    if (a->url == NULL) return usage_error("--url is required");
    if (strcmp(a->scheme, "jwt") == 0) {
        if (a->user == NULL) return usage_error("--user is required for jwt");
        if (a->private_key_file == NULL) return usage_error("--private-key-file is required for jwt");
    } else if (a->key_id == NULL) {
        return usage_error("--key-id is required for %s", a->scheme);
    }
    if (strncmp(a->url, "https://", 8) != 0 && strncmp(a->url, "http://", 7) != 0) {
        return usage_error("--url: must be an absolute http:// or https:// URL");
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------------ schemes */

/* The shared secret, read strictly by the library (standard padded base64 of 16 to 1024 bytes, no whitespace);
 * 0 or EXIT_USAGE. Each scheme derives its own key from it. */
static int load_secret(const countermark_api_secret **secret) {
    const char *text = getenv(SECRET_ENV);
    countermark_result r;
    if (text == NULL) {
        fputs("sign: " SECRET_ENV " is not set (the base64 text of 32 random bytes)\n", stderr);
        return EXIT_USAGE;
    }
    if ((r = countermark_api_secret_new_base64_strict(S(text), secret)) != COUNTERMARK_RESULT_OK) {
        return lib_error(EXIT_USAGE, SECRET_ENV, r);
    }
    return 0;
}

static int sign_hmac(const args_t *a, const countermark_request *req, const countermark_api_secret *secret,
                     lines_t *lines) {
    const countermark_hmac_header_signer *signer = NULL;
    countermark_claims *claims = NULL;
    int rc;
    countermark_result r;
    r = countermark_hmac_header_signer_new(S(a->key_id), secret, S("hmac-sha256"), NULL, &signer);
    if (r != COUNTERMARK_RESULT_OK) {
        rc = lib_error(EXIT_SIGNING, "cannot sign the request", r);
    } else if ((r = countermark_hmac_header_signer_sign(signer, req, NULL, 0, &claims)) != COUNTERMARK_RESULT_OK) {
        rc = lib_error(EXIT_SIGNING, "cannot sign the request", r);
    } else {
        rc = add_claim(lines, "Authorization", claims, "Authorization");
    }
    countermark_claims_free(claims);
    countermark_hmac_header_signer_free(signer);
    return rc;
}

static int sign_fost(const args_t *a, const countermark_request *req, const countermark_api_secret *secret,
                     lines_t *lines) {
    const countermark_hmac_key *key = NULL;
    const countermark_fost_signer *signer = NULL;
    countermark_claims *claims = NULL;
    countermark_str signed_headers[] = {{S("Content-Type")}};
    size_t n_signed = a->content_type != NULL ? 1 : 0;
    int rc = 0;
    /* FOST's key is the base64 text itself, as django-fost-authn deployments store it: the library derives it. */
    countermark_result r = countermark_api_secret_fost_key(secret, &key);
    if (r != COUNTERMARK_RESULT_OK) return lib_error(EXIT_USAGE, SECRET_ENV, r);
    r = countermark_fost_signer_new(S(a->key_id), key, NULL, &signer);
    if (r == COUNTERMARK_RESULT_OK) {
        r = countermark_fost_signer_sign(signer, req, n_signed ? signed_headers : NULL, n_signed, NULL, 0, &claims);
    }
    if (r != COUNTERMARK_RESULT_OK) {
        rc = lib_error(EXIT_SIGNING, "cannot sign the request", r);
    } else if ((rc = add_claim(lines, "Authorization", claims, "Authorization")) == 0 &&
               (rc = add_claim(lines, "X-FOST-Timestamp", claims, "X-FOST-Timestamp")) == 0) {
        rc = add_claim(lines, "X-FOST-Headers", claims, "X-FOST-Headers");
    }
    countermark_claims_free(claims);
    countermark_fost_signer_free(signer);
    countermark_hmac_key_free(key);
    return rc;
}

static int sign_rfc9421(const args_t *a, const countermark_request *req, const countermark_api_secret *secret,
                        lines_t *lines) {
    const countermark_hmac_key *key = NULL;
    countermark_message_signer_builder *builder = NULL;
    const countermark_message_signer *signer = NULL;
    countermark_claims *claims = NULL;
    countermark_str digest;
    int rc = 0;
    countermark_result r = countermark_api_secret_message_signature_key(secret, &key);
    if (r != COUNTERMARK_RESULT_OK) return lib_error(EXIT_USAGE, SECRET_ENV, r);
    /* The library's default coverage: @method @authority @path, @query when the URL has one, and content-digest
     * (with the Content-Digest claim to send) when there is a body. */
    if ((r = countermark_message_signer_builder_new_hmac(key, &builder)) != COUNTERMARK_RESULT_OK ||
        (r = countermark_message_signer_builder_set_label(builder, S("sig1"))) != COUNTERMARK_RESULT_OK ||
        (r = countermark_message_signer_builder_set_key_id(builder, S(a->key_id))) != COUNTERMARK_RESULT_OK ||
        (r = countermark_message_signer_builder_random_nonces(builder)) != COUNTERMARK_RESULT_OK ||
        (r = countermark_message_signer_builder_build(builder, &signer)) != COUNTERMARK_RESULT_OK ||
        (r = countermark_message_signer_sign_request_default_coverage(signer, req, &claims)) !=
            COUNTERMARK_RESULT_OK) {
        rc = lib_error(EXIT_SIGNING, "cannot sign the request", r);
        goto done;
    }
    if (countermark_claims_get(claims, S("Content-Digest"), &digest) == COUNTERMARK_RESULT_OK) {
        rc = add_line(lines, "Content-Digest", digest.data, digest.len) == 0 ? 0 : EXIT_SIGNING;
    }
    if (rc == 0 && (rc = add_claim(lines, "Signature-Input", claims, "Signature-Input")) == 0) {
        rc = add_claim(lines, "Signature", claims, "Signature");
    }
done:
    countermark_claims_free(claims);
    countermark_message_signer_free(signer);
    countermark_message_signer_builder_free(builder);
    countermark_hmac_key_free(key);
    return rc;
}

static int sign_jwt(const args_t *a, lines_t *lines) {
    uint8_t *pem = NULL;
    size_t pem_len = 0;
    const countermark_signing_key *key = NULL;
    countermark_bytes token = {0};
    countermark_result r;
    int rc = 0;
    static const char scheme[] = "JWT ";
    if (read_file(a->private_key_file, &pem, &pem_len) != 0) return EXIT_USAGE;
    r = countermark_signing_key_from_pem(pem, pem_len, &key);
    if (pem != NULL) wipe(pem, pem_len);
    free(pem);
    if (r != COUNTERMARK_RESULT_OK) return lib_error(EXIT_USAGE, "--private-key-file", r);
    if ((r = countermark_jwt_sign(key, S(a->user), NULL, &token)) != COUNTERMARK_RESULT_OK) {
        rc = lib_error(EXIT_SIGNING, "cannot sign the JWT", r);
    } else {
        char *value = malloc(sizeof scheme - 1 + token.len);
        if (value == NULL) {
            fputs("sign: out of memory\n", stderr);
            rc = EXIT_SIGNING;
        } else {
            memcpy(value, scheme, sizeof scheme - 1);
            memcpy(value + sizeof scheme - 1, token.data, token.len);
            rc = add_line(lines, "Authorization", (const uint8_t *)value, sizeof scheme - 1 + token.len) == 0
                     ? 0
                     : EXIT_SIGNING;
            free(value);
        }
    }
    countermark_bytes_free(&token);
    countermark_signing_key_free(key);
    return rc;
}

/* ------------------------------------------------------------------------------------------------------ main */

int main(int argc, char **argv) {
    args_t a = {0};
    uint8_t *body = NULL;
    size_t body_len = 0;
    const countermark_api_secret *secret = NULL;
    countermark_request *req = NULL;
    lines_t lines = {0};
    countermark_result r;
    int rc = parse_args(argc, argv, &a);
    if (rc != 0) return rc;

    if (a.body_file != NULL && read_file(a.body_file, &body, &body_len) != 0) {
        rc = EXIT_USAGE;
        goto done;
    }
    if ((r = countermark_request_new(S(a.method), S(a.url), &req)) != COUNTERMARK_RESULT_OK) {
        rc = lib_error(EXIT_USAGE, "--method/--url", r);
        goto done;
    }
    if (a.content_type != NULL &&
        (r = countermark_request_add_header(req, S("Content-Type"), S(a.content_type))) != COUNTERMARK_RESULT_OK) {
        rc = lib_error(EXIT_USAGE, "--content-type", r);
        goto done;
    }
    if (body_len > 0 && (r = countermark_request_set_body(req, body, body_len)) != COUNTERMARK_RESULT_OK) {
        rc = lib_error(EXIT_SIGNING, "cannot read the body", r);
        goto done;
    }

    if (strcmp(a.scheme, "jwt") == 0) {
        rc = sign_jwt(&a, &lines);
    } else if ((rc = load_secret(&secret)) == 0) {
        if (strcmp(a.scheme, "hmac") == 0) {
            rc = sign_hmac(&a, req, secret, &lines);
        } else if (strcmp(a.scheme, "fost") == 0) {
            rc = sign_fost(&a, req, secret, &lines);
        } else {
            rc = sign_rfc9421(&a, req, secret, &lines);
        }
    }
    if (rc == 0 && lines.len > 0 && (fwrite(lines.text, 1, lines.len, stdout) != lines.len || fflush(stdout) != 0)) {
        fputs("sign: cannot write to stdout\n", stderr);
        rc = EXIT_USAGE;
    }

done:
    countermark_api_secret_free(secret);
    free(body);
    free(lines.text);
    countermark_request_free(req);
    return rc;
}
