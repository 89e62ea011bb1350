/* harness.h - a tiny test harness. Each check prints "PASS name" or
 * "FAIL name: why"; tests/run.sh counts the lines. A test program ends
 * with `return harness_done();`. Tables of cases suit it best. */
#ifndef MEMREPORT_HARNESS_H
#define MEMREPORT_HARNESS_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int harness_passed, harness_failed;

#define CHECK_(cond, name, ...)                                                           \
    do {                                                                                  \
        if (cond) {                                                                       \
            harness_passed++;                                                             \
            printf("PASS %s\n", (name));                                                  \
        } else {                                                                          \
            harness_failed++;                                                             \
            printf("FAIL %s (%s:%d): ", (name), __FILE__, __LINE__);                      \
            printf(__VA_ARGS__);                                                          \
            printf("\n");                                                                 \
        }                                                                                 \
    } while (0)

#define OK(cond, name) CHECK_((cond), (name), "%s", #cond)
#define INT_EQ(got, want, name)                                                           \
    do {                                                                                  \
        long long g_ = (long long)(got), w_ = (long long)(want);                          \
        CHECK_(g_ == w_, (name), "got %lld, want %lld", g_, w_);                          \
    } while (0)
#define DBL_NEAR(got, want, tol, name)                                                    \
    do {                                                                                  \
        double g_ = (got), w_ = (want);                                                   \
        CHECK_((isnan(g_) && isnan(w_)) || fabs(g_ - w_) <= (tol), (name),                \
               "got %.9g, want %.9g (tol %g)", g_, w_, (double)(tol));                    \
    } while (0)
#define STR_EQ(got, want, name)                                                           \
    do {                                                                                  \
        const char *g_ = (got), *w_ = (want);                                             \
        CHECK_(g_ && w_ && strcmp(g_, w_) == 0, (name), "got \"%s\", want \"%s\"",        \
               g_ ? g_ : "(null)", w_ ? w_ : "(null)");                                   \
    } while (0)
#define STR_CONTAINS(hay, needle, name)                                                   \
    do {                                                                                  \
        const char *h_ = (hay), *n_ = (needle);                                           \
        CHECK_(h_ && n_ && strstr(h_, n_) != NULL, (name), "\"%s\" not found in \"%.300s\"", \
               n_ ? n_ : "(null)", h_ ? h_ : "(null)");                                   \
    } while (0)

static inline int harness_done(void)
{
    fflush(stdout);
    return harness_failed ? 1 : 0;
}

#endif
