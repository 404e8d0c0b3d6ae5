/* What later stages start with, built by the final tcc against protomusl: the guest init
 * (vm/guest/init.c, PID 1 of every later stage) and the `cc` entry point (cc.c). */

/* Compiles dir/file into the work dir with tcc (a pass's tcc and its -B dir), then installs it at
 * `to` with mode 0755. cwd is dir and the source is named relative to it, so __FILE__ (musl's
 * assert.h) could never hold a path. */
static void build_program(struct stage1 *s, const char *tcc, const char *tccdir, const char *dir,
                          const char *file, const char *to) {
    const char *exe = zpath(zpath(s->work, "programs"), zstrndup(file, zstrlen(file) - 2));
    zmkdirs(zdirname(exe));
    char *cc[] = { (char *)tcc, zcat("-B", tccdir), "-static", "-o", (char *)exe, (char *)file, NULL };
    zrun_in(cc, dir);
    zmkdirs(zdirname(to));
    zcopy_file(exe, to, 0755);
}
