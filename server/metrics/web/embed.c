/* embed.c — build-time tool, never linked into the server: turns the dashboard page into a C
 * array, so `make` needs neither network nor npm nor xxd (not on a plain Debian).
 *
 *   embed PAGE.html OUT.c SYMBOL
 *
 * Copies PAGE.html and inlines, in place, every line that is only
 *   <script src="NAME"></script>        as <script>...NAME's bytes...</script>
 *   <link rel="stylesheet" href="NAME">  as <style>...NAME's bytes...</style>
 *   <!-- include NAME -->                as <!--\n...NAME's bytes...-->  (a licence text)
 * where NAME is a file next to PAGE.html. The page works as is from that folder while it is
 * being written, and the served copy is one self-contained document. Any other src= or href=
 * in PAGE.html (but a data: URL) is an error: the served page must fetch nothing from
 * elsewhere. OUT.c defines `const unsigned char SYMBOL[]` (not NUL-terminated) and
 * `const size_t SYMBOL_len`. On any error OUT.c is not left behind and the exit status is 1.
 * Fixed buffers, no allocation: the page is small, and a bigger one is a clear error. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The largest page, and the largest file inlined into it (uPlot's is about 51 KB). */
#define PAGE_MAX (1 << 20)

static const char *out_path;

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fputs("embed: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    if (out_path)
        remove(out_path);
    exit(1);
}

/* Read the whole file at path into buf (size bytes) and NUL-terminate it (a NUL inside is
 * refused: nothing we embed has one). Returns its length. */
static size_t
slurp(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "rb");

    if (f == NULL)
        die("cannot read %s", path);
    size_t n = fread(buf, 1, size - 1, f);
    if (ferror(f))
        die("cannot read %s", path);
    if (n == size - 1 && fgetc(f) != EOF)
        die("%s is over %zu bytes: raise PAGE_MAX", path, size - 1);
    fclose(f);
    buf[n] = '\0';
    if (strlen(buf) != n)
        die("%s holds a NUL byte", path);
    return n;
}

/* The page being built, the template and the file being inlined. */
static char page[PAGE_MAX], html[PAGE_MAX], body[PAGE_MAX];
static size_t page_len;

static void
emit(const char *s, size_t n)
{
    if (n > sizeof(page) - page_len)
        die("the page is over %zu bytes: raise PAGE_MAX", sizeof(page));
    memcpy(page + page_len, s, n);
    page_len += n;
}

static void
emit_str(const char *s)
{
    emit(s, strlen(s));
}

/* 1 when haystack holds needle, ignoring ASCII case. */
static int
contains_nocase(const char *haystack, const char *needle)
{
    size_t n = strlen(needle);

    for (; *haystack; haystack++)
        if (strncasecmp(haystack, needle, n) == 0)
            return 1;
    return 0;
}

/* When line (without its newline, leading blanks skipped) is exactly prefix NAME suffix,
 * copy NAME into name and return 1. */
static int
match_ref(const char *line, const char *prefix, const char *suffix, char *name, size_t size)
{
    size_t pl = strlen(prefix), sl = strlen(suffix), ll = strlen(line);

    while (*line == ' ' || *line == '\t')
        line++, ll--;
    while (ll > 0 && (line[ll - 1] == ' ' || line[ll - 1] == '\t' || line[ll - 1] == '\r'))
        ll--;
    if (ll <= pl + sl || strncmp(line, prefix, pl) != 0 || strncmp(line + ll - sl, suffix, sl))
        return 0;
    size_t nl = ll - pl - sl;
    if (nl >= size)
        return 0;
    memcpy(name, line + pl, nl);
    name[nl] = '\0';
    return 1;
}

/* Inline the file name (next to the page, in dir) between open and close tags. */
static void
inline_file(const char *dir, const char *name, const char *open, const char *close,
            const char *where)
{
    char path[4096];

    if (name[0] == '\0' || strchr(name, '/') || strchr(name, ':') || strchr(name, '"'))
        die("%s: \"%s\" is not a file next to the page", where, name);
    snprintf(path, sizeof(path), "%s%s", dir, name);
    size_t len = slurp(path, body, sizeof(body));
    /* An end tag inside would end the element early; the browser has no escape for it. */
    if (contains_nocase(body, close))
        die("%s holds %s and cannot be inlined", path, close);
    emit_str(open);
    emit_str("\n");
    emit(body, len);
    if (len > 0 && body[len - 1] != '\n')
        emit_str("\n");
    emit_str(close);
    emit_str(">\n");
}

/* 1 when line has a src= or href= that does not start a data: URL. */
static int
has_outside_ref(const char *line)
{
    static const char *const attrs[] = {"src=", "href="};

    for (size_t i = 0; i < 2; i++) {
        for (const char *p = line; (p = strstr(p, attrs[i])) != NULL; p++) {
            const char *v = p + strlen(attrs[i]);
            if (*v == '"' || *v == '\'')
                v++;
            if (strncmp(v, "data:", 5) != 0)
                return 1;
        }
    }
    return 0;
}

static void
write_c(const char *path, const char *sym, const char *src)
{
    FILE *f = fopen(path, "w");

    if (f == NULL)
        die("cannot write %s", path);
    fprintf(f,
            "/* Generated from %s by server/metrics/web/embed.c at build time: do not edit. */\n"
            "#include <stddef.h>\n\n"
            "const unsigned char %s[] = {",
            src, sym);
    for (size_t i = 0; i < page_len; i++)
        fprintf(f, "%s%u,", i % 20 ? "" : "\n", (unsigned char)page[i]);
    fprintf(f, "\n};\nconst size_t %s_len = %zu;\n", sym, page_len);
    if (fclose(f) != 0)
        die("cannot write %s", path);
}

int
main(int argc, char **argv)
{
    if (argc != 4)
        die("usage: embed PAGE.html OUT.c SYMBOL");
    const char *in = argv[1], *sym = argv[3];
    out_path = argv[2];
    for (const char *p = sym; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '_') || isdigit((unsigned char)sym[0]))
            die("\"%s\" is not a C identifier", sym);

    char dir[4096];
    const char *slash = strrchr(in, '/');
    size_t dl = slash ? (size_t)(slash - in + 1) : 0;
    if (dl >= sizeof(dir))
        die("path too long: %s", in);
    memcpy(dir, in, dl);
    dir[dl] = '\0';

    slurp(in, html, sizeof(html));
    int lineno = 0;
    for (char *line = html, *next; line && *line; line = next) {
        char *nl = strchr(line, '\n');
        next = nl ? nl + 1 : NULL;
        if (nl)
            *nl = '\0';
        lineno++;
        char name[256], where[4200];
        snprintf(where, sizeof(where), "%s:%d", in, lineno);
        if (match_ref(line, "<script src=\"", "\"></script>", name, sizeof(name))) {
            inline_file(dir, name, "<script>", "</script", where);
        } else if (match_ref(line, "<link rel=\"stylesheet\" href=\"", "\">", name, sizeof(name))) {
            inline_file(dir, name, "<style>", "</style", where);
        } else if (match_ref(line, "<!-- include ", " -->", name, sizeof(name))) {
            inline_file(dir, name, "<!--", "--", where);
        } else if (has_outside_ref(line)) {
            die("%s: a reference that is not inlined (the page must fetch nothing): %s", where,
                line);
        } else {
            emit_str(line);
            if (nl)
                emit_str("\n");
        }
    }
    write_c(out_path, sym, in);
    return 0;
}
