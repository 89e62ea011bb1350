/* cellstore.h - one reader's samples, collection by collection.
 *
 * A parallel reader of the memory CSV sees collections one after another
 * (timestamps only grow) but does not know how many relays or collections
 * the whole file has, so it cannot write into the final [relay * ncoll +
 * collection] matrices. It keeps its samples here instead, 16 bytes a cell
 * (18 with the group column), in blocks of whole collections with one slot
 * per relay. Blocks are mapped from the system one by one, so moving them
 * into the final matrices and giving each back at once keeps the peak
 * memory near one copy of the samples. */
#ifndef MEMREPORT_CELLSTORE_H
#define MEMREPORT_CELLSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    size_t first;         /* its first collection */
    size_t ncoll, cap;    /* collections held, and room */
    size_t stride;        /* relay slots per collection */
    uint32_t *rss, *vms, *hwm;
    float *frag;
    uint16_t *grp;        /* NULL without a group column */
    void *mem;
    size_t bytes;
} cblock;

typedef struct {
    cblock *b;
    size_t nb, bcap;
    size_t ncoll;
    bool has_grp;
} cellstore;

void cellstore_init(cellstore *s, bool has_grp);
void cellstore_free(cellstore *s);
/* Starts collection number s->ncoll; nrelays is how many relays are known
 * (a new block gets room for them and more). */
void cellstore_next_collection(cellstore *s, size_t nrelays);
/* Writes relay r's sample into the last collection; true when that cell
 * was already written (a duplicate row: the later one wins). */
bool cellstore_put(cellstore *s, size_t r, uint32_t rss, uint32_t vms, uint32_t hwm, float frag,
                   uint16_t grp);
/* Gives block i back to the system (after it was copied out). */
void cellstore_release(cellstore *s, size_t i);

#endif
