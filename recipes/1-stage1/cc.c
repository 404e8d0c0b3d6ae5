/* `cc` for the stages after stage 1: the stage-1 tcc, always linking statically (protomusl has no
 * dynamic loader). Built by stage1.c with the final tcc and installed as tinycc/bin/cc. Our tcc
 * already links statically by default (tinycc.h); the explicit -static keeps `cc` right even for
 * a tcc without that patch. The environment passes through unchanged. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define TCC "/store/1-stage1/tinycc/bin/tcc"

int main(int argc, char **argv) {
    char *args[argc + 2];
    args[0] = TCC;
    args[1] = "-static";
    for (int i = 1; i < argc; i++) args[i + 1] = argv[i];
    args[argc + 1] = NULL;
    execv(TCC, args);
    fprintf(stderr, "cc: cannot run %s: %s\n", TCC, strerror(errno));
    return 127;
}
