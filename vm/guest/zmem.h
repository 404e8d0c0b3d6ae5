/* Memory, strings and string lists for libc-less guest programs.
 * Guest programs run once and exit, so memory comes from a bump allocator over mmap'd chunks and
 * is never freed; fork() gives each child a copy, which is what a job pool needs. */
#ifndef ZMEM_H
#define ZMEM_H
#include "zsys.h"

static char *zheap_at, *zheap_end;

static void *zalloc(size_t n) {
    n = (n + 15) & ~(size_t)15;
    if ((size_t)(zheap_end - zheap_at) < n) {
        size_t chunk = n > (16UL << 20) ? n : (16UL << 20);
        long p = zsys(SYS_mmap, 0, chunk, 3 /* PROT_READ|PROT_WRITE */, 0x22 /* MAP_PRIVATE|MAP_ANONYMOUS */, -1, 0);
        if (p < 0 && p > -4096) zdie("mmap", p);
        zheap_at = (char *)p;
        zheap_end = zheap_at + chunk;
    }
    void *r = zheap_at;
    zheap_at += n;
    return r; /* fresh mmap memory is zeroed */
}

static void zmemcpy(void *dst, const void *src, size_t n) {
    char *d = dst; const char *s = src;
    while (n--) *d++ = *s++;
}

/* tcc emits calls to these for struct initialisation and assignment; no libc provides them. */
void *memset(void *dst, int c, size_t n) {
    unsigned char *d = dst;
    while (n--) *d++ = (unsigned char)c;
    return dst;
}
void *memmove(void *dst, const void *src, size_t n) {
    char *d = dst; const char *s = src;
    if (d < s) while (n--) *d++ = *s++;
    else while (n--) d[n] = s[n];
    return dst;
}
void *memcpy(void *dst, const void *src, size_t n) { return memmove(dst, src, n); }

static int zstrcmp(const char *a, const char *b) {
    while (*a && *a == *b) a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}

static int zsuffix(const char *s, const char *suf) {
    size_t n = zstrlen(s), m = zstrlen(suf);
    return n >= m && zstreq(s + n - m, suf);
}

/* Concatenates up to four strings (NULLs are skipped) into fresh memory. */
static char *zcat4(const char *a, const char *b, const char *c, const char *d) {
    const char *parts[4] = { a, b, c, d };
    size_t n = 0;
    for (int i = 0; i < 4; i++) if (parts[i]) n += zstrlen(parts[i]);
    char *r = zalloc(n + 1), *p = r;
    for (int i = 0; i < 4; i++) if (parts[i]) { size_t k = zstrlen(parts[i]); zmemcpy(p, parts[i], k); p += k; }
    *p = 0;
    return r;
}
#define zcat(a, b) zcat4((a), (b), NULL, NULL)
#define zpath(dir, name) zcat4((dir), "/", (name), NULL)

static char *zstrndup(const char *s, size_t n) {
    char *r = zalloc(n + 1);
    zmemcpy(r, s, n);
    r[n] = 0;
    return r;
}

/* A growable, NULL-terminated list of strings: doubles as an argv. */
struct zlist { char **v; int n, cap; };

static void zpush(struct zlist *l, const char *s) {
    if (l->n + 1 >= l->cap) {
        int cap = l->cap ? l->cap * 2 : 32;
        char **v = zalloc(cap * sizeof *v);
        if (l->n) zmemcpy(v, l->v, l->n * sizeof *v);
        l->v = v; l->cap = cap;
    }
    l->v[l->n++] = (char *)s;
    l->v[l->n] = NULL;
}

static void zpush_all(struct zlist *l, const struct zlist *from) {
    for (int i = 0; i < from->n; i++) zpush(l, from->v[i]);
}

/* Sorts by byte order (merge sort): output order must never depend on directory order. */
static void zsort(struct zlist *l) {
    if (l->n < 2) return;
    char **tmp = zalloc(l->n * sizeof *tmp);
    for (int width = 1; width < l->n; width *= 2) {
        for (int lo = 0; lo < l->n; lo += 2 * width) {
            int mid = lo + width < l->n ? lo + width : l->n;
            int hi = lo + 2 * width < l->n ? lo + 2 * width : l->n;
            int i = lo, j = mid, k = lo;
            while (i < mid && j < hi) tmp[k++] = zstrcmp(l->v[i], l->v[j]) <= 0 ? l->v[i++] : l->v[j++];
            while (i < mid) tmp[k++] = l->v[i++];
            while (j < hi) tmp[k++] = l->v[j++];
        }
        zmemcpy(l->v, tmp, l->n * sizeof *tmp);
    }
}

/* The list's strings concatenated into fresh memory. */
static char *zjoin(struct zlist *l) {
    size_t n = 0;
    for (int i = 0; i < l->n; i++) n += zstrlen(l->v[i]);
    char *r = zalloc(n + 1), *p = r;
    for (int i = 0; i < l->n; i++) { size_t k = zstrlen(l->v[i]); zmemcpy(p, l->v[i], k); p += k; }
    *p = 0;
    return r;
}

static int zcontains(const struct zlist *l, const char *s) {
    for (int i = 0; i < l->n; i++) if (zstreq(l->v[i], s)) return 1;
    return 0;
}

/* Milliseconds of CLOCK_MONOTONIC. */
static long znow_ms(void) {
    ztime_t ts[2] = { 0, 0 };
    Z2(SYS_clock_gettime, 1, ts);
    /* long arithmetic: on i386 a 64-bit division would need libtcc1's __divdi3, and with
     * -nostdlib nothing provides it. */
    return (long)ts[0] * 1000 + (long)ts[1] / 1000000;
}

static void zput_seconds(long ms) {
    zputnum(ms / 1000); zputs("."); zputnum(ms / 100 % 10); zputs(" s");
}

#endif
