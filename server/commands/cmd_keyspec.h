/* cmd_keyspec — Redis 7 key specifications: parsed from the compact text of cmd_docs_data.h,
 * replied in COMMAND INFO's shape, and walked over a command's arguments to find its keys
 * (COMMAND GETKEYS / GETKEYSANDFLAGS), as Redis does. */
#ifndef ZMEM_SERVER_CMD_KEYSPEC_H
#define ZMEM_SERVER_CMD_KEYSPEC_H

#include <stddef.h>

struct client;
struct resp_arg;

/* Key flags, in the order Redis prints them. */
#define KS_RO             (1u << 0)
#define KS_RW             (1u << 1)
#define KS_OW             (1u << 2)
#define KS_RM             (1u << 3)
#define KS_ACCESS         (1u << 4)
#define KS_UPDATE         (1u << 5)
#define KS_INSERT         (1u << 6)
#define KS_DELETE         (1u << 7)
#define KS_NOT_KEY        (1u << 8)
#define KS_INCOMPLETE     (1u << 9)
#define KS_VARIABLE_FLAGS (1u << 10)

/* One key specification: where the search begins (an index, or after a keyword), then how the
 * keys follow (a range, or a count argument). 'u' is Redis's "unknown" for either part. */
struct keyspec {
    unsigned flags; /* KS_* */
    char bs;        /* 'i' index, 'k' keyword, 'u' unknown */
    int index;      /* bs 'i': argument index of the first key */
    const char *kw; /* bs 'k': the keyword (not NUL-terminated) */
    int kwlen;      /* bs 'k' */
    int startfrom;  /* bs 'k': where the search starts, negative from the end backwards */
    char fk;        /* 'r' range, 'n' keynum, 'u' unknown */
    int lastkey;    /* fk 'r': last key relative to the first, negative from the end */
    int keystep;    /* fk 'r' and 'n' */
    int limit;      /* fk 'r': with lastkey -1, only 1/limit of the remaining arguments */
    int keynumidx;  /* fk 'n': the count argument, relative to the search start */
    int firstkey;   /* fk 'n': the first key, relative to the search start */
};

/* A key found in a command's arguments: its index and its spec's KS_* flags. */
struct keyref {
    int pos;
    unsigned flags;
};

/* Parse `text` ("FLAGS BEGIN FIND", specs separated by ';'; e.g. "RO|access i1 r0,1,0",
 * "OW|update kSTORE,6 r0,1,0", "RO|access i2 n0,1,1", "OW|update u u") into out[]. Returns how
 * many specs, or -1 when the text is malformed or holds more than max. */
int keyspec_parse(const char *text, struct keyspec *out, int max);
/* The key-spec array of COMMAND INFO for specs[0..n). */
void keyspec_reply(struct client *c, const struct keyspec *specs, int n);
/* KS_* flags as Redis's set of flag names ("RW", "access", "update"). */
void keyspec_reply_flags(struct client *c, unsigned flags);
/* Whether a command with these specs has keys at all (a spec that is not NOT_KEY). */
int keyspec_has_keys(const struct keyspec *specs, int n);
/* The keys of argv[0..argc) (the command's name first) for the command `fullname` with these
 * specs, into out[] (at most max). Uses the specs as Redis does, and for the commands whose
 * specs Redis leaves incomplete or variable (SORT, SORT_RO, SET, BITFIELD) the same argument
 * walk Redis uses. Returns the number of keys; 0 means none could be found. */
int keyspec_find(const char *fullname, const struct keyspec *specs, int n,
                 const struct resp_arg *argv, int argc, struct keyref *out, int max);

#endif
