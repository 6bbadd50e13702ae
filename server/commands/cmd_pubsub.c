/* cmd_pubsub.c — SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH, the shard forms
 * SSUBSCRIBE, SUNSUBSCRIBE and SPUBLISH, and PUBSUB; the
 * channel tables and delivery live in core/pubsub.c. */
#include <stddef.h>

#include "client.h"
#include "command.h"
#include "commands.h"
#include "pubsub.h"

static void
cmd_subscribe(struct client *c)
{
    for (int i = 1; i < c->argc; i++)
        pubsub_subscribe(c, c->argv[i].ptr, c->argv[i].len);
}

static void
cmd_psubscribe(struct client *c)
{
    for (int i = 1; i < c->argc; i++)
        pubsub_psubscribe(c, c->argv[i].ptr, c->argv[i].len);
}

static void
cmd_unsubscribe(struct client *c)
{
    if (c->argc == 1)
        pubsub_unsubscribe_all(c, 1);
    for (int i = 1; i < c->argc; i++)
        pubsub_unsubscribe(c, c->argv[i].ptr, c->argv[i].len);
}

static void
cmd_punsubscribe(struct client *c)
{
    if (c->argc == 1)
        pubsub_punsubscribe_all(c, 1);
    for (int i = 1; i < c->argc; i++)
        pubsub_punsubscribe(c, c->argv[i].ptr, c->argv[i].len);
}

static void
cmd_ssubscribe(struct client *c)
{
    for (int i = 1; i < c->argc; i++)
        pubsub_ssubscribe(c, c->argv[i].ptr, c->argv[i].len);
}

static void
cmd_sunsubscribe(struct client *c)
{
    if (c->argc == 1)
        pubsub_sunsubscribe_all(c, 1);
    for (int i = 1; i < c->argc; i++)
        pubsub_sunsubscribe(c, c->argv[i].ptr, c->argv[i].len);
}

static void
cmd_spublish(struct client *c)
{
    reply_int(c, pubsub_spublish(c->argv[1].ptr, c->argv[1].len, c->argv[2].ptr, c->argv[2].len));
}

static void
cmd_publish(struct client *c)
{
    reply_int(c, pubsub_publish(c->argv[1].ptr, c->argv[1].len, c->argv[2].ptr, c->argv[2].len));
}

/* PUBSUB CHANNELS walk: one bulk per channel, counted for the deferred array length. */
struct channels_ctx {
    struct client *c;
    long long n;
};

static void
add_channel(const char *ch, size_t len, void *arg)
{
    struct channels_ctx *ctx = arg;
    reply_bulk(ctx->c, ch, len);
    ctx->n++;
}

/* PUBSUB CHANNELS and SHARDCHANNELS: the (shard) channels with subscribers matching the
 * optional pattern. */
static void
list_channels(struct client *c, int shard)
{
    if (c->argc > 3) {
        reply_errorf(c,
                     "ERR unknown subcommand or wrong number of arguments for '%.*s'. Try "
                     "PUBSUB HELP.",
                     (int)c->argv[1].len, c->argv[1].ptr); /* as typed, as Redis quotes it */
        return;
    }
    struct channels_ctx ctx = {c, 0};
    size_t at = reply_deferred(c);
    pubsub_foreach_channel(shard, c->argc == 3 ? c->argv[2].ptr : NULL,
                           c->argc == 3 ? c->argv[2].len : 0, add_channel, &ctx);
    reply_set_deferred(c, at, '*', ctx.n);
}

static void
cmd_pubsub_channels(struct client *c)
{
    list_channels(c, 0);
}

/* PUBSUB NUMSUB and SHARDNUMSUB: channel, count pairs. */
static void
numsub(struct client *c, int shard)
{
    reply_array(c, 2 * (long long)(c->argc - 2)); /* an array in RESP3 too, as in Redis */
    for (int i = 2; i < c->argc; i++) {
        reply_bulk(c, c->argv[i].ptr, c->argv[i].len);
        reply_int(c, (long long)pubsub_numsub(shard, c->argv[i].ptr, c->argv[i].len));
    }
}

static void
cmd_pubsub_numpat(struct client *c)
{
    reply_int(c, (long long)pubsub_patterns_count());
}

static void
cmd_pubsub_numsub(struct client *c)
{
    numsub(c, 0);
}

static void
cmd_pubsub_shardchannels(struct client *c)
{
    list_channels(c, 1);
}

static void
cmd_pubsub_shardnumsub(struct client *c)
{
    numsub(c, 1);
}

static void
cmd_pubsub_help(struct client *c)
{
    static const char *const lines[] = {
        "CHANNELS [<pattern>]",
        "    Return the currently active channels matching a <pattern> (default: '*').",
        "NUMPAT",
        "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]",
        "    Return the number of subscribers for the specified channels, excluding",
        "    pattern subscriptions(default: no channels).",
        "SHARDCHANNELS [<pattern>]",
        "    Return the currently active shard level channels matching a <pattern> (default: "
        "'*').",
        "SHARDNUMSUB [<shardchannel> ...]",
        "    Return the number of subscribers for the specified shard level channel(s)",
        NULL,
    };
    reply_help(c, "pubsub", lines);
}

#define PS_FLAGS (CMD_LOADING | CMD_STALE)

static const struct command pubsub_subcommands[] = {
    COMMAND("channels", cmd_pubsub_channels, -2, PS_FLAGS,
            .summary = "List channels with at least one subscriber, optionally by pattern",
            .group = "pubsub"),
    COMMAND("numsub", cmd_pubsub_numsub, -2, PS_FLAGS,
            .summary = "Give the subscriber count of each named channel", .group = "pubsub"),
    COMMAND("numpat", cmd_pubsub_numpat, 2, PS_FLAGS,
            .summary = "Count the distinct patterns that clients subscribe to", .group = "pubsub"),
    COMMAND("shardchannels", cmd_pubsub_shardchannels, -2, PS_FLAGS,
            .summary = "List shard channels with at least one subscriber, optionally by pattern",
            .group = "pubsub"),
    COMMAND("shardnumsub", cmd_pubsub_shardnumsub, -2, PS_FLAGS,
            .summary = "Give the subscriber count of each named shard channel", .group = "pubsub"),
    COMMAND("help", cmd_pubsub_help, 2, PS_FLAGS,
            .summary = "List the PUBSUB subcommands and their arguments", .group = "pubsub"),
    COMMAND_END,
};

const struct command cmd_pubsub_table[] = {
    COMMAND("subscribe", cmd_subscribe, -2, CMD_LOADING | CMD_STALE,
            .summary = "Subscribe this connection to channels", .group = "pubsub"),
    COMMAND("unsubscribe", cmd_unsubscribe, -1, CMD_LOADING | CMD_STALE,
            .summary = "Leave the named channels, or every channel when none is named",
            .group = "pubsub"),
    COMMAND("psubscribe", cmd_psubscribe, -2, CMD_LOADING | CMD_STALE,
            .summary = "Subscribe this connection to every channel matching the patterns",
            .group = "pubsub"),
    COMMAND("punsubscribe", cmd_punsubscribe, -1, CMD_LOADING | CMD_STALE,
            .summary = "Drop the named pattern subscriptions, or all when none is named",
            .group = "pubsub"),
    COMMAND("publish", cmd_publish, 3, CMD_LOADING | CMD_STALE | CMD_FAST | CMD_MAY_REPLICATE,
            .summary = "Send a message to a channel; reply how many subscribers got it",
            .group = "pubsub"),
    COMMAND("ssubscribe", cmd_ssubscribe, -2, CMD_LOADING | CMD_STALE, .keys = {1, -1, 1},
            .summary = "Subscribe this connection to shard channels", .group = "pubsub"),
    COMMAND("sunsubscribe", cmd_sunsubscribe, -1, CMD_LOADING | CMD_STALE, .keys = {1, -1, 1},
            .summary = "Leave the named shard channels, or all when none is named",
            .group = "pubsub"),
    COMMAND("spublish", cmd_spublish, 3, CMD_LOADING | CMD_STALE | CMD_FAST | CMD_MAY_REPLICATE,
            .keys = {1, 1, 1},
            .summary = "Send a message to a shard channel; reply how many got it",
            .group = "pubsub"),
    COMMAND("pubsub", NULL, -2, 0, .subcommands = pubsub_subcommands,
            .summary = "Inspect channels, patterns and subscriber counts", .group = "pubsub"),
    COMMAND_END,
};
