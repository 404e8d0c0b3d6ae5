/* Writes static libraries (ar archives with a symbol index) from ELF64 or ELF32 objects.
 * Why not `tcc -ar`: the tinycc snapshot's archiver indexes only STB_GLOBAL symbols, and musl
 * defines most public names as weak aliases (lseek, environ, malloc...), so a linker that pulls
 * members through the index could not find them. This one indexes global and weak definitions.
 * The archive depends only on the objects' bytes and order: zero dates, uids and gids, mode 644,
 * members named by their file name (at most 15 bytes, as tcc -ar does). */
#ifndef ZAR_H
#define ZAR_H
#include "zfile.h"

static unsigned long zar_le(const unsigned char *p, int n) {
    unsigned long v = 0;
    while (n--) v = v << 8 | p[n];
    return v;
}

static void zar_be32(char *p, unsigned long v) {
    p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

/* One 60-byte member header: name/, date 0, uid 0, gid 0, mode, size, "`\n". */
static void zar_header(char *h, const char *name, const char *mode, unsigned long size) {
    for (int i = 0; i < 60; i++) h[i] = ' ';
    size_t n = zstrlen(name);
    zmemcpy(h, name, n);
    h[16] = '0'; h[28] = '0'; h[34] = '0';
    zmemcpy(h + 40, mode, zstrlen(mode));
    char digits[24]; int k = 0;
    do { digits[k++] = '0' + size % 10; size /= 10; } while (size);
    for (int i = 0; i < k; i++) h[48 + i] = digits[k - 1 - i];
    h[58] = '`'; h[59] = '\n';
}

/* Adds the names of obj's global and weak definitions to names (NUL-separated) and counts them.
 * Objects may be ELF64 or ELF32 whatever this program runs as: an i386-hosted cross compiler
 * archives x86_64 objects. */
static void zar_symbols(const char *path, const unsigned char *elf, size_t len, struct zlist *names) {
    if (len < 52 || elf[0] != 0x7f || elf[1] != 'E' || (elf[4] != 2 && elf[4] != 1) || (elf[4] == 2 && len < 64))
        zdie_path("archive: not an ELF object:", path, 0);
    int c64 = elf[4] == 2; /* ELFCLASS64; else ELFCLASS32 */
    unsigned long shoff = c64 ? zar_le(elf + 0x28, 8) : zar_le(elf + 0x20, 4);
    unsigned long shentsize = zar_le(elf + (c64 ? 0x3a : 0x2e), 2), shnum = zar_le(elf + (c64 ? 0x3c : 0x30), 2);
    /* Section header: sh_type, sh_offset, sh_size, sh_link; symbol: st_info, st_shndx, size. */
    unsigned long o_off = c64 ? 24 : 16, o_size = c64 ? 32 : 20, o_link = c64 ? 40 : 24, w = c64 ? 8 : 4;
    unsigned long symsize = c64 ? 24 : 16, o_info = c64 ? 4 : 12, o_shndx = c64 ? 6 : 14;
    for (unsigned long i = 0; i < shnum; i++) {
        const unsigned char *sh = elf + shoff + i * shentsize;
        if (zar_le(sh + 4, 4) != 2 /* SHT_SYMTAB */) continue;
        const unsigned char *strsh = elf + shoff + zar_le(sh + o_link, 4) * shentsize;
        const char *strtab = (const char *)elf + zar_le(strsh + o_off, w);
        unsigned long off = zar_le(sh + o_off, w), size = zar_le(sh + o_size, w);
        for (unsigned long at = symsize; at + symsize <= size; at += symsize) {  /* entry 0 is the null symbol */
            const unsigned char *sym = elf + off + at;
            int bind = sym[o_info] >> 4;
            if ((bind == 1 || bind == 2) && zar_le(sym + o_shndx, 2) != 0)
                zpush(names, strtab + zar_le(sym, 4));
        }
    }
}

static void zar_write(const char *archive, const struct zlist *objs) {
    int n = objs->n;
    char **data = zalloc((n + 1) * sizeof *data);
    size_t *lens = zalloc((n + 1) * sizeof *lens);
    struct zlist names = { 0 };
    int *owner = NULL, cap = 0;  /* owner[k]: the member defining names.v[k] */
    for (int i = 0; i < n; i++) {
        data[i] = zmust_read(objs->v[i], &lens[i]);
        int before = names.n;
        zar_symbols(objs->v[i], (unsigned char *)data[i], lens[i], &names);
        if (names.n > cap) {
            int *grown = zalloc((cap = names.n * 2) * sizeof(int));
            if (before) zmemcpy(grown, owner, before * sizeof(int));
            owner = grown;
        }
        for (int k = before; k < names.n; k++) owner[k] = i;
    }
    size_t strsize = 0;
    for (int k = 0; k < names.n; k++) strsize += zstrlen(names.v[k]) + 1;
    size_t index = 4 + 4 * (size_t)names.n + strsize;
    size_t total = 8 + 60 + index + (index & 1);
    size_t *member_at = zalloc((n + 1) * sizeof *member_at);
    for (int i = 0; i < n; i++) { member_at[i] = total; total += 60 + lens[i] + (lens[i] & 1); }

    char *out = zalloc(total), *p = out;
    zmemcpy(p, "!<arch>\n", 8); p += 8;
    zar_header(p, "/", "0", index); p += 60;
    zar_be32(p, names.n); p += 4;
    for (int k = 0; k < names.n; k++) { zar_be32(p, member_at[owner[k]]); p += 4; }
    for (int k = 0; k < names.n; k++) { size_t l = zstrlen(names.v[k]) + 1; zmemcpy(p, names.v[k], l); p += l; }
    if (index & 1) *p++ = '\n';
    for (int i = 0; i < n; i++) {
        const char *path = objs->v[i], *base = path + zstrlen(path);
        while (base > path && base[-1] != '/') base--;
        size_t bl = zstrlen(base);
        char name[17];
        if (bl > 15) bl = 15;
        zmemcpy(name, base, bl); name[bl] = '/'; name[bl + 1] = 0;
        zar_header(p, name, "644", lens[i]); p += 60;
        zmemcpy(p, data[i], lens[i]); p += lens[i];
        if (lens[i] & 1) *p++ = '\n';
    }
    zwrite_file(archive, out, total, 0644);
}

#endif
