/* feed.h - the site's Atom feed (RFC 4287), written only when the site's
 * address is known (--base-url): every id and link in a feed must be an
 * absolute URL. One entry per experiment on the site. */
#ifndef MEMREPORT_FEED_H
#define MEMREPORT_FEED_H

#include <stddef.h>

#include "analysis.h"
#include "util.h"

#define FEED_FILE "feed.xml"

/* One experiment of the feed: its analysis and its page's absolute URL
 * (the entry's id and link). Borrowed. */
typedef struct {
    const analysis *a;
    const char *url;
} feed_entry;

/* Appends the feed of n entries to out: feed id and alternate link
 * base_url (absolute, ending in '/'), self link base_url + feed.xml;
 * entries newest first by their last collection (the entry's updated, in
 * UTC), the feed's updated the latest of them (clock when there is no
 * entry or no collection: SOURCE_DATE_EPOCH or 0). */
void feed_render(const char *base_url, const feed_entry *e, size_t n, int64_t clock,
                 strbuf *out);

#endif
