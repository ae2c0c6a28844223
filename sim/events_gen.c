/* events_gen.c - a synthetic event log (az JSON shape) for `make bench` and tests. */
#include "events_gen.h"

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "prng.h"
#include "timeu.h"

static void hex64(struct rng *g, char out[65])
{
    static const char HEX[] = "0123456789abcdef";
    for (int i = 0; i < 64; i += 16) {
        uint64_t x = rng_next(g);
        for (int k = 0; k < 16; k++, x >>= 4) out[i + k] = HEX[x & 15];
    }
    out[64] = '\0';
}

int events_gen_write(FILE *fp, size_t rows, uint64_t seed, const char *login_server)
{
    static const char *const OPS[] = {"Push", "Pull", "Pull", "Pull", "Pull", "Pull", "Untag", "Delete"};
    struct rng g;
    rng_seed(&g, seed);
    const int64_t start = timeu_days_from_civil(2025, 1, 1) * 86400;
    fputs("[\n", fp);
    for (size_t i = 0; i < rows; i++) {
        uint64_t r = rng_next(&g);
        const char *op = OPS[r & 7];
        unsigned repo = (unsigned)(r >> 3) % 50, tag = (unsigned)(r >> 9) % 40;
        bool by_digest = !strcmp(op, "Pull") && (r >> 16) % 4 == 0;
        bool failed = !strcmp(op, "Pull") && (r >> 18) % 50 == 0;
        const char *status = failed ? "404" : !strcmp(op, "Push") ? "201" : !strcmp(op, "Pull") ? "200" : "202";
        /* shuffled within a day: i's minute, give or take twelve hours */
        int64_t secs = start + (int64_t)i * 60 + (int64_t)((r >> 24) % 86400) - 43200;
        unsigned ms = (unsigned)((r >> 44) % 1000);
        char digest[72], when[48], size[24];
        memcpy(digest, "sha256:", 7);
        hex64(&g, digest + 7);
        int64_t days = secs / 86400, sod = secs % 86400;
        if (sod < 0) sod += 86400, days--;
        int64_t y;
        unsigned mo, d;
        timeu_civil_from_days(days, &y, &mo, &d);
        if (ms % 10 == 0) /* varying fraction digits, as az prints them */
            snprintf(when, sizeof when, "%04" PRId64 "-%02u-%02uT%02u:%02u:%02uZ", y, mo, d, (unsigned)(sod / 3600),
                     (unsigned)(sod / 60 % 60), (unsigned)(sod % 60));
        else
            snprintf(when, sizeof when, "%04" PRId64 "-%02u-%02uT%02u:%02u:%02u.%03uZ", y, mo, d,
                     (unsigned)(sod / 3600), (unsigned)(sod / 60 % 60), (unsigned)(sod % 60), ms);
        if (!strcmp(op, "Push")) snprintf(size, sizeof size, "%" PRIu64, 1000 + (rng_next(&g) >> 36));
        else snprintf(size, sizeof size, "None");
        const char *login = (r >> 50) % 200 == 0 ? "otherreg.azurecr.io" : login_server;
        char tagtext[80];
        if (by_digest) snprintf(tagtext, sizeof tagtext, "%s", digest);
        else if (!strcmp(op, "Delete")) snprintf(tagtext, sizeof tagtext, "None");
        else snprintf(tagtext, sizeof tagtext, "v1.%u", tag);
        fprintf(fp,
                "  {\n    \"TableName\": \"PrimaryResult\",\n    \"TenantId\": \"00000000-0000-0000-0000-000000000000\",\n"
                "    \"TimeGenerated\": \"%s\",\n    \"OperationName\": \"%s\",\n    \"Repository\": \"team-%u/service\",\n"
                "    \"Tag\": \"%s\",\n    \"Digest\": \"%s\",\n    \"MediaType\": \"%s\",\n    \"Size\": \"%s\",\n"
                "    \"LoginServer\": \"%s\",\n    \"Identity\": \"ci-bot\",\n    \"UserAgent\": \"docker/24.0.7 go/go1.20.10\",\n"
                "    \"CallerIpAddress\": \"203.0.113.7\",\n    \"CorrelationId\": \"%016" PRIx64 "\",\n    \"DurationMs\": \"12\",\n"
                "    \"ResultType\": \"HttpStatusCode\",\n    \"ResultDescription\": \"%s\",\n    \"Region\": \"australiaeast\",\n"
                "    \"Category\": \"ContainerRegistryRepositoryEvents\",\n    \"Type\": \"ContainerRegistryRepositoryEvents\"\n  }%s\n",
                when, op, repo, tagtext, by_digest ? "<nil>" : digest,
                by_digest ? "<nil>" : "application/vnd.docker.distribution.manifest.v2+json", size,
                login ? login : "myreg.azurecr.io", r, status, i + 1 < rows ? "," : "");
    }
    fputs("]\n", fp);
    return ferror(fp) ? -1 : 0;
}
