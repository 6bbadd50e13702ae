/* metrics_auth.c — the Authorization header of a metrics request against the password in force
 * (metrics_http.c asks, once per request). Basic per RFC 7617 with the one user "default",
 * Bearer per RFC 6750 with the password as the token, so that Prometheus's basic_auth and
 * authorization (credentials) scrape settings both work. */
#include "metrics_auth.h"

#include <string.h>
#include <strings.h>

#include "util.h"
#include "zmalloc.h"

/* Value of one base64 character, or -1. */
static int
b64_value(unsigned char ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    if (ch == '+')
        return 62;
    if (ch == '/')
        return 63;
    return -1;
}

/* Decode padded standard base64 (what every HTTP client sends) of n bytes into out, which holds
 * n / 4 * 3 bytes. Returns the decoded length, or -1 when in is not such base64. */
static long
b64_decode(const char *in, size_t n, unsigned char *out)
{
    size_t o = 0;

    if (n == 0 || n % 4 != 0)
        return -1;
    for (size_t i = 0; i < n; i += 4) {
        int v[4], pad = 0;
        for (int k = 0; k < 4; k++) {
            unsigned char ch = (unsigned char)in[i + k];
            /* '=' only as the last one or two characters of the whole text. */
            if (ch == '=' && i + 4 == n && k >= 2 && (k == 3 || in[i + 3] == '=')) {
                v[k] = 0;
                pad++;
            } else if ((v[k] = b64_value(ch)) < 0) {
                return -1;
            }
        }
        unsigned long w = (unsigned long)v[0] << 18 | (unsigned long)v[1] << 12 |
                          (unsigned long)v[2] << 6 | (unsigned long)v[3];
        out[o++] = (unsigned char)(w >> 16);
        if (pad < 2)
            out[o++] = (unsigned char)(w >> 8);
        if (pad < 1)
            out[o++] = (unsigned char)w;
    }
    return (long)o;
}

static int
basic_check(const char *cred, size_t n, const char *password)
{
    unsigned char *dec = zmalloc(n / 4 * 3 + 1);
    long len = b64_decode(cred, n, dec);
    size_t ulen = strlen(METRICS_AUTH_USER);
    int ok = 0;

    if (len > (long)ulen && memcmp(dec, METRICS_AUTH_USER, ulen) == 0 && dec[ulen] == ':')
        ok = secret_eq((const char *)dec + ulen + 1, (size_t)len - ulen - 1, password,
                       strlen(password));
    if (len > 0)
        explicit_bzero(dec, (size_t)len); /* a password: not left behind in freed memory */
    zfree(dec);
    return ok;
}

int
metrics_auth_check(const char *authorization, const char *password)
{
    if (authorization == NULL || password == NULL || password[0] == '\0')
        return 0;
    const char *p = authorization;
    while (*p == ' ' || *p == '\t')
        p++;
    const char *scheme = p;
    while (*p && *p != ' ' && *p != '\t')
        p++;
    size_t slen = (size_t)(p - scheme);
    if (*p == '\0')
        return 0; /* a scheme without credentials */
    while (*p == ' ' || *p == '\t')
        p++;
    /* The credentials run to the end of the value, less trailing whitespace: a Bearer token
     * is the whole password, spaces inside it included. */
    size_t n = strlen(p);
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    if (n == 0)
        return 0;
    if (slen == 5 && strncasecmp(scheme, "Basic", 5) == 0)
        return basic_check(p, n, password);
    if (slen == 6 && strncasecmp(scheme, "Bearer", 6) == 0)
        return secret_eq(p, n, password, strlen(password));
    return 0;
}
