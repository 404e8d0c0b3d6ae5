/* Stage 1: from the seed tcc to libtcc1, protomusl and a tcc that reproduces itself.
 * Pass 1 builds libtcc1.a, protomusl and tcc with the seed; a hello program proves the result
 * links and runs; passes 2 and 3 rebuild everything with the previous pass's tcc, and the tcc of
 * pass 3 must be byte-identical to the tcc of pass 2 (the fixpoint). Pass 3's tree is the output.
 * With pass 3's tcc it then builds protobusybox (busybox.h), the guest init of later stages and
 * their `cc` (tools.h), and last checks that no output file names a build path (leaks.h).
 * Everything the compilers read is first copied to tmpfs (see patch.h for why).
 * As PID 1 it mounts the stage directories and runs itself again through the seed with an empty
 * environment (as 0-smoke does). Arguments: jobs=N (default: CPUs), root=DIR (host test runs:
 * DIR holds store/, sources/, out/ and tmp/ laid out as in the guest).
 * The target is the seed's own arch (x86_64, or i386 in the 1-stage1-i386 variant), read from the
 * compiler's predefined macros since the seed compiles this file. With the argument `ddc` (stage
 * 1-ddc) it does the diverse double-compile of ddc.h instead. */
#include "zsys.h"
#include "zmem.h"
#include "zfile.h"
#include "zjobs.h"
#include "zar.h"

struct stage1 {
    const char *seed_share, *musl_share, *tinycc_share, *busybox_share;  /* read-only inputs */
    const char *seed, *musl, *tinycc, *musl_arch, *busybox;  /* their copies in the work dir */
    const char *root, *recipe, *out, *work, *musl_gen, *tcc_gen;
    const char *arch;  /* musl's and our name for the target: "x86_64" or "i386" */
    int jobs;
};

#if defined(__i386__)
#define STAGE1_ARCH "i386"
#else
#define STAGE1_ARCH "x86_64"
#endif
struct pass { int n; const char *cc, *dir; };

#include "patch.h"
#include "musl.h"
#include "tinycc.h"
#include "busybox.h"
#include "tools.h"
#include "leaks.h"

/* Each step's time, kept for the summary line at the end. */
enum { MAX_STEPS = 32 };
static long step_started, step_ms[MAX_STEPS];
static const char *step_name[MAX_STEPS];
static int step_pass[MAX_STEPS], steps;

static void step_begin(const char *what, int pass) {
    zputs("stage1: "); zputs(what);
    if (pass) { zputs(" (pass "); zputnum(pass); zputs(")"); }
    zputs("\n");
    step_started = znow_ms();
}

static void step_end(const char *what, int pass) {
    zputs("stage1: "); zputs(what);
    if (pass) { zputs(" (pass "); zputnum(pass); zputs(")"); }
    long ms = znow_ms() - step_started;
    zputs(" took "); zput_seconds(ms); zputs("\n");
    if (steps < MAX_STEPS) { step_name[steps] = what; step_pass[steps] = pass; step_ms[steps++] = ms; }
}

static void print_summary(struct stage1 *s, long total_ms) {
    zputs("stage1: summary ("); zputnum(s->jobs); zputs(" jobs):");
    for (int i = 0; i < steps; i++) {
        zputs(" "); zputs(step_name[i]);
        if (step_pass[i]) { zputs("/"); zputnum(step_pass[i]); }
        zputs(" "); zput_seconds(step_ms[i]); zputs(",");
    }
    zputs(" total "); zput_seconds(total_ms); zputs("\n");
}

/* One pass: everything built by p->cc into p->dir, laid out as the output. */
static void build_pass(struct stage1 *s, struct pass *p) {
    zmkdirs(p->dir);
    musl_install_headers(s, zpath(p->dir, "protomusl/include"));
    step_begin("libtcc1", p->n); tcc_build_libtcc1(s, p); step_end("libtcc1", p->n);
    step_begin("protomusl", p->n); musl_build(s, p); step_end("protomusl", p->n);
    step_begin("tcc", p->n); tcc_build_compiler(s, p); step_end("tcc", p->n);
}

static const char hello_c[] =
    "#include <stdio.h>\n"
    "int main(void) { printf(\"hello from protomusl\\n\"); return 42; }\n";

/* Links hello with the tcc a pass built, through its configured default paths, and runs it. */
static void check_hello(struct stage1 *s, struct pass *p) {
    const char *dir = zpath(s->work, "hello");
    zmkdirs(dir);
    zwrite_file(zpath(dir, "hello.c"), hello_c, sizeof hello_c - 1, 0644);
    char *cc[] = { zpath(p->dir, "tinycc/bin/tcc"), zcat("-B", zpath(p->dir, "tinycc/lib/tcc")), "-static",
                   "-o", "hello", "hello.c", NULL };
    zrun_in(cc, dir);
    char *run[] = { zpath(dir, "hello"), NULL };
    int status = zrun(run);
    if (status != 42) {
        zputs("stage1: hello exited "); zputnum(status); zputs(", expected 42\n");
        Z1(SYS_exit_group, 1);
    }
    zputs("stage1: hello exited 42 as expected\n");
}

static void check_fixpoint(const char *a, const char *b) {
    long at = zfirst_difference(a, b);
    if (at >= 0) {
        zputs("stage1: FIXPOINT FAILED: "); zputs(a); zputs(" and "); zputs(b);
        zputs(" first differ at byte offset "); zputnum(at); zputs("\n");
        Z1(SYS_exit_group, 1);
    }
    zputs("stage1: fixpoint holds: "); zputs(b); zputs(" is byte-identical to the tcc that built it\n");
}

static void install(struct stage1 *s, struct pass *p) {
    zmkdirs(zpath(s->out, "tinycc/bin"));
    zcopy_file(zpath(p->dir, "tinycc/bin/tcc"), zpath(s->out, "tinycc/bin/tcc"), 0755);
    zcopy_tree(zpath(p->dir, "tinycc/lib"), zpath(s->out, "tinycc/lib"), 0644);
    zcopy_tree(zpath(p->dir, "protomusl"), zpath(s->out, "protomusl"), 0644);
}

/* With pass 3's tcc: protobusybox, the guest init and cc, into the output. */
static void build_later_tools(struct stage1 *s, struct pass *p) {
    const char *tcc = zpath(p->dir, "tinycc/bin/tcc"), *tccdir = zpath(p->dir, "tinycc/lib/tcc");
    /* busybox.h scans the whole tree and compiles ~300 files that each read dozens of headers:
     * on 9p every lookup is a round trip, so it works on a tmpfs copy of the files it reads. */
    step_begin("busybox copy", 0);
    src_copy_sources(s->busybox_share, s->busybox, "");
    step_end("busybox copy", 0);
    step_begin("busybox", 0);
    build_busybox(s->busybox, s->recipe, zpath(s->work, "busybox"), zpath(s->out, "protobusybox"), tcc, tccdir, s->jobs);
    step_end("busybox", 0);
    step_begin("init", 0);
    build_program(s, tcc, tccdir, zcat(s->root, "/guest"), "init.c", zpath(s->out, "init"));
    step_end("init", 0);
    step_begin("cc", 0);
    build_program(s, tcc, tccdir, s->recipe, "cc.c", zpath(s->out, "tinycc/bin/cc"));
    step_end("cc", 0);
}

#include "ddc.h"

static int stage(int argc, char **argv) {
    const char *root = "";
    struct stage1 s = { 0 };
    int ddc = 0;
    /* Arguments are for host test runs: in the VM the job count follows the vCPUs. */
    for (int i = 2; i < argc; i++) {
        if (zprefix(argv[i], "jobs=")) s.jobs = zatol(argv[i] + 5);
        else if (zprefix(argv[i], "root=")) root = argv[i] + 5;
        else if (zstreq(argv[i], "ddc")) ddc = 1;
        else { zputs("stage1: unknown argument "); zputs(argv[i]); zputs("\n"); return 2; }
    }
    if (s.jobs < 1) s.jobs = zcpu_count();
    /* ddc (1-ddc): the seed's arch hosts a cross build for x86_64 (ddc.h). */
    s.arch = ddc ? "x86_64" : STAGE1_ARCH;
    s.seed_share = zcat(root, ZSEED);
    s.musl_share = zcat(root, "/sources/musl");
    s.tinycc_share = zcat(root, "/sources/tinycc");
    s.busybox_share = zcat(root, "/sources/busybox");
    s.root = root;
    s.recipe = zdirname(argv[0]);
    s.out = zcat(root, "/out");
    s.work = zcat(root, "/tmp/stage1");
    s.musl_gen = zpath(s.work, "gen/musl");
    s.seed = zpath(s.work, "seed/tcc");
    s.musl = zpath(s.work, "src/musl");
    s.tinycc = zpath(s.work, "src/tinycc");
    s.musl_arch = zpath(s.work, "src/musl-arch");
    s.tcc_gen = zpath(s.work, "gen/tinycc");
    s.busybox = zpath(s.work, "src/busybox");
    zputs("stage1: "); zputnum(s.jobs); zputs(" jobs, target "); zputs(s.arch); zputs("\n");

    long started = znow_ms();
    step_begin("copy", 0);
    zmkdirs(zdirname(s.seed));
    zcopy_file(s.seed_share, s.seed, 0755);
    musl_copy(&s);
    tcc_copy(&s);
    step_end("copy", 0);
    musl_generate(&s);
    tcc_write_config(&s);
    if (ddc) {
        int status = ddc_run(&s);
        print_summary(&s, znow_ms() - started);
        return status;
    }
    struct pass passes[3];
    const char *cc = s.seed;
    for (int n = 1; n <= 3; n++) {
        struct pass *p = &passes[n - 1];
        p->n = n; p->cc = cc;
        p->dir = zcat(s.work, n == 1 ? "/pass1" : n == 2 ? "/pass2" : "/pass3");
        build_pass(&s, p);
        if (n == 1) check_hello(&s, p);
        cc = zpath(p->dir, "tinycc/bin/tcc");
    }
    long d12 = zfirst_difference(zpath(passes[0].dir, "tinycc/bin/tcc"), zpath(passes[1].dir, "tinycc/bin/tcc"));
    zputs("stage1: pass 1 and pass 2 tcc ");
    if (d12 < 0) zputs("are identical\n"); else { zputs("first differ at byte offset "); zputnum(d12); zputs("\n"); }
    check_fixpoint(zpath(passes[1].dir, "tinycc/bin/tcc"), zpath(passes[2].dir, "tinycc/bin/tcc"));
    install(&s, &passes[2]);
    build_later_tools(&s, &passes[2]);

    step_begin("leak check", 0);
    /* The guest work dir (s.work ends in it) and the sources' dir; in a host test run, the root too. */
    const char *needles[] = { "/tmp/stage1", "/sources/", *root ? root : NULL, NULL };
    check_leaks(s.out, needles);
    step_end("leak check", 0);
    long total = znow_ms() - started;
    print_summary(&s, total);
    zputs("stage1: done in "); zput_seconds(total); zputs("\n");
    return 0;
}

int _start(int argc, char **argv, char **envp) {
    if (argc > 1 && zstreq(argv[1], "--stage")) return stage(argc, argv);
    if (Z0(SYS_getpid) != 1) { zputs("stage1: run me as PID 1 or with --stage\n"); return 2; }
    zpid1_rerun_as_stage(argc, argv);
    return 0;
}
