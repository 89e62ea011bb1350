/* cellstore.c - blocks of collections for a parallel reader (cellstore.h). */
#include "cellstore.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "model.h"
#include "util.h"

#define BLOCK_BYTES (4u << 20)

static size_t cell_bytes(bool has_grp)
{
    return 3 * sizeof(uint32_t) + sizeof(float) + (has_grp ? sizeof(uint16_t) : 0);
}

/* A block for cap collections of stride relays; no cell is set yet. */
static void block_map(cblock *b, size_t first, size_t cap, size_t stride, bool has_grp)
{
    size_t cells = cap * stride;
    memset(b, 0, sizeof *b);
    b->first = first;
    b->cap = cap;
    b->stride = stride;
    b->bytes = cells * cell_bytes(has_grp);
    /* mmap rather than malloc: munmap returns the memory at once, which
     * malloc's free need not do for blocks this size. */
    b->mem = mmap(NULL, b->bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (b->mem == MAP_FAILED) {
        fprintf(stderr, "memreport: out of memory (%zu bytes)\n", b->bytes);
        abort();
    }
    char *p = b->mem;
    b->rss = (uint32_t *)p;
    b->vms = b->rss + cells;
    b->hwm = b->vms + cells;
    b->frag = (float *)(b->hwm + cells);
    b->grp = has_grp ? (uint16_t *)(b->frag + cells) : NULL;
}

/* Marks relay slots [from, to) of the block's collection c missing. The
 * cells are set collection by collection as they come into use, so a block
 * costs memory (page faults) only for the collections it holds. */
static void clear_cells(cblock *b, size_t c, size_t from, size_t to)
{
    size_t k = c * b->stride, n = to - from;
    memset(b->rss + k + from, 0xFF, n * sizeof *b->rss);
    memset(b->vms + k + from, 0xFF, n * sizeof *b->vms);
    memset(b->hwm + k + from, 0xFF, n * sizeof *b->hwm);
    for (size_t i = from; i < to; i++)
        b->frag[k + i] = NAN;
    if (b->grp)
        memset(b->grp + k + from, 0xFF, n * sizeof *b->grp);
}

static void block_unmap(cblock *b)
{
    if (b->mem)
        munmap(b->mem, b->bytes);
    b->mem = NULL;
}

void cellstore_init(cellstore *s, bool has_grp)
{
    memset(s, 0, sizeof *s);
    s->has_grp = has_grp;
}

void cellstore_free(cellstore *s)
{
    for (size_t i = 0; i < s->nb; i++)
        block_unmap(&s->b[i]);
    free(s->b);
    memset(s, 0, sizeof *s);
}

static size_t round16(size_t n)
{
    return (n + 15) & ~(size_t)15;
}

static size_t cap_for(size_t stride, bool has_grp)
{
    size_t cap = BLOCK_BYTES / (stride * cell_bytes(has_grp));
    return cap ? cap : 1;
}

void cellstore_next_collection(cellstore *s, size_t nrelays)
{
    cblock *last = s->nb ? &s->b[s->nb - 1] : NULL;
    if (!last || last->ncoll == last->cap) {
        /* As wide as the relays known: a wider block (widen's room for
         * relays still appearing) would waste memory for the whole file. */
        size_t stride = round16(nrelays ? nrelays : 1);
        xgrow((void **)&s->b, &s->bcap, s->nb + 1, sizeof *s->b);
        block_map(&s->b[s->nb++], s->ncoll, cap_for(stride, s->has_grp), stride, s->has_grp);
        last = &s->b[s->nb - 1];
    }
    clear_cells(last, last->ncoll, 0, last->stride);
    last->ncoll++;
    s->ncoll++;
}

/* Makes the last block wide enough for relay r: a new block with a wider
 * stride (and room for fewer collections) takes over its collections. */
static void widen(cellstore *s, size_t r)
{
    cblock *old = &s->b[s->nb - 1], nb;
    size_t stride = round16(old->stride + old->stride / 2);
    if (stride < round16(r + 1))
        stride = round16(r + 1);
    size_t cap = cap_for(stride, s->has_grp);
    block_map(&nb, old->first, cap > old->ncoll ? cap : old->ncoll, stride, s->has_grp);
    nb.ncoll = old->ncoll;
    for (size_t c = 0; c < old->ncoll; c++) {
        size_t from = c * old->stride, to = c * stride, n = old->stride;
        memcpy(nb.rss + to, old->rss + from, n * sizeof *nb.rss);
        memcpy(nb.vms + to, old->vms + from, n * sizeof *nb.vms);
        memcpy(nb.hwm + to, old->hwm + from, n * sizeof *nb.hwm);
        memcpy(nb.frag + to, old->frag + from, n * sizeof *nb.frag);
        if (nb.grp)
            memcpy(nb.grp + to, old->grp + from, n * sizeof *nb.grp);
        clear_cells(&nb, c, n, stride);
    }
    block_unmap(old);
    *old = nb;
}

bool cellstore_put(cellstore *s, size_t r, uint32_t rss, uint32_t vms, uint32_t hwm, float frag,
                   uint16_t grp)
{
    cblock *b = &s->b[s->nb - 1];
    if (r >= b->stride) {
        widen(s, r);
        b = &s->b[s->nb - 1];
    }
    size_t k = (b->ncoll - 1) * b->stride + r;
    bool dup = b->rss[k] != KB_MISSING;
    b->rss[k] = rss;
    b->vms[k] = vms;
    b->hwm[k] = hwm;
    b->frag[k] = frag;
    if (b->grp)
        b->grp[k] = grp;
    return dup;
}

void cellstore_release(cellstore *s, size_t i)
{
    block_unmap(&s->b[i]);
}
