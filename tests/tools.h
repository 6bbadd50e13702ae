/* tools.h — optional peers of a cmocka test (redis-server, promtool, ...): a test that needs
 * one calls require_tool() first. When the tool is missing the test is skipped LOUDLY (a line
 * on stdout, and cmocka counts it under SKIPPED); under CI=true, where CI installs every
 * tool, a missing one fails the test instead. Nothing is skipped when the tool is there.
 * Include after <cmocka.h>. */
#ifndef ZMEM_TESTS_TOOLS_H
#define ZMEM_TESTS_TOOLS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* 1 when running under CI (CI=true). */
static inline int
tools_ci(void)
{
    const char *ci = getenv("CI");
    return ci != NULL && strcmp(ci, "true") == 0;
}

/* The full path of name on $PATH, copied into dst; 0 if found, -1 if not. */
static inline int
tools_find(const char *name, char *dst, size_t size)
{
    const char *path = getenv("PATH");
    while (path != NULL && *path) {
        const char *colon = strchr(path, ':');
        size_t n = colon ? (size_t)(colon - path) : strlen(path);
        if (n > 0) {
            snprintf(dst, size, "%.*s/%s", (int)n, path, name);
            if (access(dst, X_OK) == 0)
                return 0;
        }
        path = colon ? colon + 1 : NULL;
    }
    dst[0] = '\0';
    return -1;
}

/* Returns when the tool is installed; otherwise skips the current test, or fails it under
 * CI=true. why says what the test would have checked. */
#define require_tool(name, why)                                                                    \
    do {                                                                                           \
        char tool_path_[512];                                                                      \
        if (tools_find((name), tool_path_, sizeof(tool_path_)) != 0) {                             \
            if (tools_ci())                                                                        \
                fail_msg("%s is not installed, and CI=true installs every tool (%s)", (name),      \
                         (why));                                                                   \
            printf("SKIP %s: %s is not installed (%s)\n", __func__, (name), (why));                \
            fflush(stdout);                                                                        \
            skip();                                                                                \
        }                                                                                          \
    } while (0)

#endif
