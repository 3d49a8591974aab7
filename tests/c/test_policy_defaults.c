/* Every default lives in the core: a policy built from the header's documented defaults (and, for RFC 9421, a
 * builder with nothing set) describes itself exactly as the core's default policy of its scheme
 * (countermark_policy_defaults). A binding or a header macro that drifted from the core fails here. */
#include <countermark.h>

#include <stdio.h>
#include <string.h>

#include "util.h"

static countermark_bytes defaults;

/* Checks that `got` (a describe() output) is one line of the core's defaults and names `scheme`. */
static void expect_default(const char *scheme, countermark_result rc, countermark_bytes *got) {
    const char *line, *end, *text = (const char *)defaults.data;
    int found = 0;
    size_t n;
    expect_code(scheme, "describe", rc, COUNTERMARK_RESULT_OK);
    if (rc != COUNTERMARK_RESULT_OK) return;
    for (line = text; line < text + defaults.len; line = end + 1) {
        end = memchr(line, '\n', (size_t)(text + defaults.len - line));
        if (end == NULL) end = text + defaults.len;
        n = (size_t)(end - line);
        if (n == got->len && memcmp(line, got->data, n) == 0 && strncmp(line, scheme, strlen(scheme)) == 0) {
            found = 1;
        }
    }
    if (!found) fprintf(stderr, "%s: %s is not a core default in\n%s\n", scheme, (const char *)got->data, text);
    util_check(found, scheme, "the default policy is the core's");
    countermark_bytes_free(got);
}

int main(void) {
    const countermark_fost_policy *fost = NULL;
    const countermark_hmac_header_policy *hmac = NULL;
    const countermark_jwt_policy *jwt = NULL;
    const countermark_message_policy *msg = NULL;
    countermark_message_policy_builder *b = NULL;
    countermark_bytes out = {NULL, 0};
    int lines = 0;
    size_t i;

    expect_code("defaults", "policy_defaults", countermark_policy_defaults(&defaults), COUNTERMARK_RESULT_OK);
    for (i = 0; i < defaults.len; i++) lines += defaults.data[i] == '\n';
    util_check(lines == 3, "defaults", "one line per scheme (fost, hmac_header, rfc9421, jwt)");

    /* NULL for a knob is the core's default; the header's DEFAULT macro, passed explicitly, is the same policy. */
    expect_code("fost", "new", countermark_fost_policy_new(NULL, NULL, NULL, &fost), COUNTERMARK_RESULT_OK);
    expect_default("fost", countermark_fost_policy_describe(fost, &out), &out);
    countermark_fost_policy_free(fost);
    fost = NULL;
    {
        uint64_t skew = COUNTERMARK_FOST_DEFAULT_CLOCK_SKEW_SECS;
        expect_code("fost", "new(macro)", countermark_fost_policy_new(NULL, &skew, NULL, &fost), COUNTERMARK_RESULT_OK);
        expect_default("fost", countermark_fost_policy_describe(fost, &out), &out);
    }

    expect_code("hmac_header", "new", countermark_hmac_header_policy_new(NULL, NULL, NULL, &hmac),
                COUNTERMARK_RESULT_OK);
    expect_default("hmac_header", countermark_hmac_header_policy_describe(hmac, &out), &out);
    countermark_hmac_header_policy_free(hmac);
    hmac = NULL;
    {
        uint64_t max_age = COUNTERMARK_HMAC_HEADER_DEFAULT_MAX_AGE_SECS;
        expect_code("hmac_header", "new(macro)", countermark_hmac_header_policy_new(NULL, &max_age, NULL, &hmac),
                    COUNTERMARK_RESULT_OK);
        expect_default("hmac_header", countermark_hmac_header_policy_describe(hmac, &out), &out);
    }

    expect_code("jwt", "new", countermark_jwt_policy_new(NULL, NULL, NULL, &jwt), COUNTERMARK_RESULT_OK);
    expect_default("jwt", countermark_jwt_policy_describe(jwt, &out), &out);
    countermark_jwt_policy_free(jwt);
    jwt = NULL;
    {
        uint64_t skew = COUNTERMARK_JWT_DEFAULT_CLOCK_SKEW_SECS;
        expect_code("jwt", "new(macro)", countermark_jwt_policy_new(NULL, &skew, NULL, &jwt), COUNTERMARK_RESULT_OK);
        expect_default("jwt", countermark_jwt_policy_describe(jwt, &out), &out);
    }

    expect_code("rfc9421", "builder", countermark_message_policy_builder_new(&b), COUNTERMARK_RESULT_OK);
    expect_code("rfc9421", "build", countermark_message_policy_builder_build(b, &msg), COUNTERMARK_RESULT_OK);
    expect_default("rfc9421", countermark_message_policy_describe(msg, &out), &out);

    /* A value the caller sets reaches the core, and only that changes. */
    countermark_message_policy_free(msg);
    countermark_message_policy_builder_free(b);
    msg = NULL;
    expect_code("rfc9421", "builder", countermark_message_policy_builder_new(&b), COUNTERMARK_RESULT_OK);
    expect_code("rfc9421", "max_age", countermark_message_policy_builder_set_max_age(b, 60), COUNTERMARK_RESULT_OK);
    expect_code("rfc9421", "require_body_digest", countermark_message_policy_builder_require_body_digest(b, true),
                COUNTERMARK_RESULT_OK);
    expect_code("rfc9421", "build", countermark_message_policy_builder_build(b, &msg), COUNTERMARK_RESULT_OK);
    expect_code("rfc9421", "describe", countermark_message_policy_describe(msg, &out), COUNTERMARK_RESULT_OK);
    util_check(out.data != NULL && strstr((const char *)out.data, " max_age=60s ") != NULL, "rfc9421",
               "a max_age set on the builder is the policy's");
    util_check(out.data != NULL && strstr((const char *)out.data, " require_body_digest=on ") != NULL, "rfc9421",
               "require_body_digest set on the builder is the policy's");
    countermark_bytes_free(&out);

    /* NULL handles and outputs are refused. */
    expect_code("describe", "NULL policy", countermark_fost_policy_describe(NULL, &out),
                COUNTERMARK_RESULT_NULL_PARAMETER);
    expect_code("describe", "NULL out", countermark_jwt_policy_describe(jwt, NULL), COUNTERMARK_RESULT_NULL_PARAMETER);
    expect_code("defaults", "NULL out", countermark_policy_defaults(NULL), COUNTERMARK_RESULT_NULL_PARAMETER);

    countermark_fost_policy_free(fost);
    countermark_hmac_header_policy_free(hmac);
    countermark_jwt_policy_free(jwt);
    countermark_message_policy_free(msg);
    countermark_message_policy_builder_free(b);
    countermark_bytes_free(&defaults);
    return util_finish("policy defaults");
}
