/* png_deflate.c - see png_deflate.h.
 *
 * The parse is greedy. At each position it tries a match one pixel back
 * (distance 3) and one row up (distance `row`); when neither reaches
 * GOOD_MATCH bytes it also tries the last position whose next 4 bytes
 * hashed alike (one slot per bucket), and only then records this
 * position in the hash table. Positions inside a match are never hashed.
 *
 * Every BLOCK_SYMBOLS symbols make a block with its own Huffman codes
 * (RFC 1951 3.2.7), built from that block's counts: a tree of the two
 * least frequent nodes at a time, its counts halved and the tree built
 * again until no code is longer than deflate allows. */
#include "png_deflate.h"

#include <libdeflate.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum {
    WINDOW = 32768,
    MIN_MATCH = 3,
    MAX_MATCH = 258,
    PIXEL = 3,       /* bytes of one 8-bit RGB pixel */
    GOOD_MATCH = 16, /* a neighbour's match this long: no hash lookup */
    HASH_BITS = 15,
    BLOCK_SYMBOLS = 16384,
    END_OF_BLOCK = 256,
    NLITLEN = 286,
    NDIST = 30,
    NCLEN = 19,
    MAX_CODE_BITS = 15,
    MAX_CLEN_BITS = 7,
    /* the most bits one symbol takes: a 15-bit length code with 5 extra
     * bits and a 15-bit distance code with 13 */
    MAX_SYMBOL_BITS = 48,
};

static const uint16_t len_base[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,
                                      15, 17, 19, 23, 27, 31, 35, 43, 51,  59,
                                      67, 83, 99, 115, 131, 163, 195, 227, 258};
static const uint8_t len_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                      2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const uint16_t dist_base[NDIST] = {1,    2,    3,    4,     5,     7,    9,    13,
                                          17,   25,   33,   49,    65,    97,   129,  193,
                                          257,  385,  513,  769,   1025,  1537, 2049, 3073,
                                          4097, 6145, 8193, 12289, 16385, 24577};
static const uint8_t dist_extra[NDIST] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                          6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
/* The order in which a block's header gives the code-length code's lengths. */
static const uint8_t clen_order[NCLEN] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                          11, 4,  12, 3, 13, 2, 14, 1, 15};

/* A literal (dist 0, len the byte) or a match. */
typedef struct {
    uint16_t len;
    uint16_t dist;
} symbol;

typedef struct {
    unsigned char *buf;
    size_t len, cap;
    uint64_t acc; /* bits not yet in buf, the first in the lowest bit */
    int nacc;
} bitbuf;

typedef struct {
    uint8_t len_code[MAX_MATCH + 1]; /* a match length's code - 257 */
    uint8_t dist_code[512];          /* see dist_code_of */
    symbol *syms;
    bitbuf out;
} encoder;

static int dist_code_of(const encoder *e, unsigned d)
{
    /* Codes from 16 up start at multiples of 128 past 1 and span 128 or more. */
    return d <= 256 ? e->dist_code[d - 1] : e->dist_code[256 + ((d - 1) >> 7)];
}

static void tables_init(encoder *e)
{
    for (int c = 0; c < 29; c++)
        for (int l = len_base[c]; l < len_base[c] + (1 << len_extra[c]) && l <= MAX_MATCH; l++)
            e->len_code[l] = (uint8_t)c;
    e->len_code[MAX_MATCH] = 28; /* 258 has a code of its own, not 227 + 31 */
    for (int c = 0; c < NDIST; c++)
        for (unsigned x = dist_base[c] - 1u; x < dist_base[c] - 1u + (1u << dist_extra[c]); x++)
            e->dist_code[x < 256 ? x : 256 + (x >> 7)] = (uint8_t)c;
}

/* Room for `more` bytes past b->len. */
static bool reserve(bitbuf *b, size_t more)
{
    if (b->cap - b->len >= more)
        return true;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap - b->len < more) {
        if (cap > SIZE_MAX / 2)
            return false;
        cap *= 2;
    }
    unsigned char *p = realloc(b->buf, cap);
    if (!p)
        return false;
    b->buf = p;
    b->cap = cap;
    return true;
}

/* Appends the low n (<= 32) bits of v; room reserved by the caller. */
static inline void put_bits(bitbuf *b, uint32_t v, int n)
{
    b->acc |= (uint64_t)v << b->nacc;
    b->nacc += n;
    if (b->nacc >= 32) {
        for (int k = 0; k < 4; k++)
            b->buf[b->len++] = (unsigned char)(b->acc >> (8 * k));
        b->acc >>= 32;
        b->nacc -= 32;
    }
}

/* The bits left over, padded with zeros to a byte. */
static void flush_bits(bitbuf *b)
{
    while (b->nacc > 0) {
        b->buf[b->len++] = (unsigned char)b->acc;
        b->acc >>= 8;
        b->nacc -= 8;
    }
    b->acc = 0;
    b->nacc = 0;
}

typedef struct {
    uint32_t count;
    int sym;
} leaf;

static int by_count(const void *a, const void *b)
{
    const leaf *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? -1 : 1;
    return x->sym - y->sym;
}

/* Huffman code lengths of n symbols from their counts. Returns the
 * longest. Fewer than two counted symbols get company from the first
 * uncounted ones, so that every code is complete. */
static int tree_lengths(const uint32_t *count, int n, uint8_t *len)
{
    leaf lv[NLITLEN];
    uint32_t w[2 * NLITLEN];
    int parent[2 * NLITLEN], depth[2 * NLITLEN];
    int m = 0;
    for (int s = 0; s < n; s++)
        if (count[s])
            lv[m++] = (leaf){count[s], s};
    for (int s = 0; s < n && m < 2; s++)
        if (!count[s])
            lv[m++] = (leaf){1, s};
    qsort(lv, (size_t)m, sizeof *lv, by_count);
    for (int k = 0; k < m; k++)
        w[k] = lv[k].count;
    /* Two queues: the leaves in order, then the joined nodes, which come
     * out in order of weight too. */
    int li = 0, ji = m;
    for (int next = m; next < 2 * m - 1; next++) {
        int pick[2];
        for (int t = 0; t < 2; t++)
            pick[t] = li < m && (ji >= next || w[li] <= w[ji]) ? li++ : ji++;
        w[next] = w[pick[0]] + w[pick[1]];
        parent[pick[0]] = parent[pick[1]] = next;
    }
    int root = 2 * m - 2, longest = 0;
    depth[root] = 0;
    for (int k = root - 1; k >= 0; k--)
        depth[k] = depth[parent[k]] + 1;
    for (int s = 0; s < n; s++)
        len[s] = 0;
    for (int k = 0; k < m; k++) {
        len[lv[k].sym] = (uint8_t)depth[k];
        longest = depth[k] > longest ? depth[k] : longest;
    }
    return longest;
}

void png_deflate_code_lengths(const uint32_t *count, int n, int limit, uint8_t *len)
{
    uint32_t c[NLITLEN];
    memcpy(c, count, (size_t)n * sizeof *c);
    while (tree_lengths(c, n, len) > limit)
        for (int s = 0; s < n; s++)
            c[s] = c[s] ? (c[s] >> 1) | 1 : 0;
}

/* The canonical codes of RFC 1951 3.2.2, bit-reversed: the bit writer
 * sends the lowest bit first, and Huffman codes go highest bit first. */
static void canonical_codes(const uint8_t *len, int n, uint16_t *code)
{
    int bl_count[MAX_CODE_BITS + 1] = {0};
    for (int s = 0; s < n; s++)
        bl_count[len[s]]++;
    bl_count[0] = 0;
    uint32_t next[MAX_CODE_BITS + 2] = {0};
    for (int b = 1; b <= MAX_CODE_BITS; b++)
        next[b] = (next[b - 1] + (uint32_t)bl_count[b - 1]) << 1;
    for (int s = 0; s < n; s++) {
        if (!len[s])
            continue;
        uint32_t v = next[len[s]]++, r = 0;
        for (int k = 0; k < len[s]; k++, v >>= 1)
            r = (r << 1) | (v & 1);
        code[s] = (uint16_t)r;
    }
}

/* The code lengths of both alphabets, run-length coded (RFC 1951 3.2.7):
 * sym[k] 0-18 with extra[k] its extra bits' value. Returns the count. */
static int rle_lengths(const uint8_t *lens, int n, uint8_t *sym, uint8_t *extra)
{
    int k = 0;
    for (int i = 0; i < n;) {
        int v = lens[i], run = 1;
        while (i + run < n && lens[i + run] == v)
            run++;
        i += run;
        if (v == 0) {
            while (run >= 11) {
                int r = run < 138 ? run : 138;
                sym[k] = 18, extra[k++] = (uint8_t)(r - 11);
                run -= r;
            }
            if (run >= 3) {
                sym[k] = 17, extra[k++] = (uint8_t)(run - 3);
                run = 0;
            }
        } else {
            sym[k] = (uint8_t)v, extra[k++] = 0;
            run--;
            while (run >= 3) {
                int r = run < 6 ? run : 6;
                sym[k] = 16, extra[k++] = (uint8_t)(r - 3);
                run -= r;
            }
        }
        while (run-- > 0)
            sym[k] = (uint8_t)v, extra[k++] = 0;
    }
    return k;
}

/* Writes syms[0..ns) as one block with codes of its own (the end of the
 * stream when final). Returns false when out of memory. */
static bool write_block(encoder *e, const symbol *syms, size_t ns, bool final)
{
    uint32_t lcount[NLITLEN] = {0}, dcount[NDIST] = {0};
    for (size_t k = 0; k < ns; k++) {
        if (syms[k].dist) {
            lcount[257 + e->len_code[syms[k].len]]++;
            dcount[dist_code_of(e, syms[k].dist)]++;
        } else {
            lcount[syms[k].len]++;
        }
    }
    lcount[END_OF_BLOCK] = 1;
    uint8_t lens[NLITLEN + NDIST];
    uint8_t *llen = lens, dlen[NDIST];
    png_deflate_code_lengths(lcount, NLITLEN, MAX_CODE_BITS, llen);
    png_deflate_code_lengths(dcount, NDIST, MAX_CODE_BITS, dlen);
    int hlit = NLITLEN, hdist = NDIST;
    while (hlit > 257 && !llen[hlit - 1])
        hlit--;
    while (hdist > 1 && !dlen[hdist - 1])
        hdist--;
    memmove(lens + hlit, dlen, (size_t)hdist); /* one sequence, as the header gives it */
    uint8_t rsym[NLITLEN + NDIST], rextra[NLITLEN + NDIST];
    int nr = rle_lengths(lens, hlit + hdist, rsym, rextra);
    uint32_t ccount[NCLEN] = {0};
    for (int k = 0; k < nr; k++)
        ccount[rsym[k]]++;
    uint8_t clen[NCLEN];
    uint16_t ccode[NCLEN], lcode[NLITLEN], dcode[NDIST];
    png_deflate_code_lengths(ccount, NCLEN, MAX_CLEN_BITS, clen);
    canonical_codes(clen, NCLEN, ccode);
    canonical_codes(llen, hlit, lcode);
    canonical_codes(lens + hlit, hdist, dcode);
    int hclen = NCLEN;
    while (hclen > 4 && !clen[clen_order[hclen - 1]])
        hclen--;

    if (ns > (SIZE_MAX - 1024) / (MAX_SYMBOL_BITS / 8) ||
        !reserve(&e->out, 1024 + ns * (MAX_SYMBOL_BITS / 8)))
        return false;
    bitbuf *b = &e->out;
    put_bits(b, final ? 1 : 0, 1);
    put_bits(b, 2, 2); /* dynamic Huffman codes */
    put_bits(b, (uint32_t)(hlit - 257), 5);
    put_bits(b, (uint32_t)(hdist - 1), 5);
    put_bits(b, (uint32_t)(hclen - 4), 4);
    for (int k = 0; k < hclen; k++)
        put_bits(b, clen[clen_order[k]], 3);
    static const uint8_t rle_extra_bits[3] = {2, 3, 7}; /* of symbols 16, 17, 18 */
    for (int k = 0; k < nr; k++) {
        put_bits(b, ccode[rsym[k]], clen[rsym[k]]);
        if (rsym[k] >= 16)
            put_bits(b, rextra[k], rle_extra_bits[rsym[k] - 16]);
    }
    const uint8_t *dl = lens + hlit;
    for (size_t k = 0; k < ns; k++) {
        const symbol *s = &syms[k];
        if (!s->dist) {
            put_bits(b, lcode[s->len], llen[s->len]);
            continue;
        }
        int lc = e->len_code[s->len], dc = dist_code_of(e, s->dist);
        put_bits(b, lcode[257 + lc], llen[257 + lc]);
        put_bits(b, (uint32_t)(s->len - len_base[lc]), len_extra[lc]);
        put_bits(b, dcode[dc], dl[dc]);
        put_bits(b, (uint32_t)(s->dist - dist_base[dc]), dist_extra[dc]);
    }
    put_bits(b, lcode[END_OF_BLOCK], llen[END_OF_BLOCK]);
    return true;
}

/* How many of the max bytes at a equal those at a - back. */
static inline size_t match_length(const unsigned char *a, size_t back, size_t max)
{
    const unsigned char *p = a - back;
    size_t n = 0;
    while (n + 8 <= max) {
        uint64_t x, y;
        memcpy(&x, a + n, 8);
        memcpy(&y, p + n, 8);
        if (x != y) /* the first differing byte: the lowest on a little-endian machine */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
            return n + (size_t)(__builtin_clzll(x ^ y) >> 3);
#else
            return n + (size_t)(__builtin_ctzll(x ^ y) >> 3);
#endif
        n += 8;
    }
    while (n < max && a[n] == p[n])
        n++;
    return n;
}

static inline uint32_t hash4(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return (v * 2654435761u) >> (32 - HASH_BITS);
}

static bool compress_all(encoder *e, const unsigned char *in, size_t n, size_t row)
{
    uint32_t *head = calloc((size_t)1 << HASH_BITS, sizeof *head); /* position + 1 */
    if (!head)
        return false;
    size_t ns = 0;
    bool ok = true;
    for (size_t i = 0; i < n && ok;) {
        size_t max = n - i < MAX_MATCH ? n - i : MAX_MATCH, best = 0, dist = 0;
        if (max >= MIN_MATCH) {
            if (i >= PIXEL)
                best = match_length(in + i, PIXEL, max), dist = PIXEL;
            if (best < max && row <= WINDOW && i >= row) {
                size_t l = match_length(in + i, row, max);
                if (l > best)
                    best = l, dist = row;
            }
            if (best < GOOD_MATCH && max >= 4) {
                uint32_t h = hash4(in + i), c = head[h];
                head[h] = (uint32_t)i + 1;
                if (c && i - (c - 1) <= WINDOW) {
                    size_t l = match_length(in + i, i - (c - 1), max);
                    if (l > best)
                        best = l, dist = i - (c - 1);
                }
            }
        }
        if (best >= MIN_MATCH) {
            e->syms[ns++] = (symbol){(uint16_t)best, (uint16_t)dist};
            i += best;
        } else {
            e->syms[ns++] = (symbol){in[i], 0};
            i++;
        }
        if (ns == BLOCK_SYMBOLS) {
            ok = write_block(e, e->syms, ns, false);
            ns = 0;
        }
    }
    free(head);
    return ok && write_block(e, e->syms, ns, true);
}

int png_deflate(const unsigned char *in, size_t n, size_t row, unsigned char **out,
                size_t *out_len, const char **err)
{
    *out = NULL, *out_len = 0;
    if (n >= (size_t)1 << 31) {
        *err = "PNG: image too large";
        return -1;
    }
    encoder *e = calloc(1, sizeof *e);
    symbol *syms = e ? malloc(BLOCK_SYMBOLS * sizeof *syms) : NULL;
    bool ok = syms && reserve(&e->out, 2);
    if (ok) {
        e->syms = syms;
        tables_init(e);
        e->out.buf[e->out.len++] = 0x78; /* deflate, a 32 KiB window */
        e->out.buf[e->out.len++] = 0x01; /* the fastest level; (0x78 << 8 | 1) % 31 == 0 */
        ok = compress_all(e, in, n, row) && reserve(&e->out, 16);
    }
    if (ok) {
        flush_bits(&e->out);
        uint32_t adler = libdeflate_adler32(1, in, n);
        for (int k = 3; k >= 0; k--)
            e->out.buf[e->out.len++] = (unsigned char)(adler >> (8 * k));
        *out = e->out.buf;
        *out_len = e->out.len;
    } else if (e) {
        free(e->out.buf);
    }
    free(syms);
    free(e);
    if (!ok)
        *err = "PNG: out of memory";
    return ok ? 0 : -1;
}
