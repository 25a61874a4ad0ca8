#include "cli/app.hpp"

#include <malloc.h>
#include <sys/resource.h>

int main(int argc, char** argv) {
    // Blocks of 128 KiB and more (blob buffers, tables) come from mmap and go back to the system when
    // freed. Left to itself, glibc raises that threshold to the largest block freed so far (the pack
    // index's scratch, megabytes), and blobs under it then stay resident in per-thread arenas: 20 MiB
    // more at the peak of a 40,000-commit scan, for no gain in speed.
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    // A full scan holds two descriptors per pack (.pack and .idx): a repository that was never
    // repacked whole can have hundreds of packs, past the usual soft limit of 1,024. The hard limit is
    // ours to take.
    if (rlimit lim{}; getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
        lim.rlim_cur = lim.rlim_max;
        setrlimit(RLIMIT_NOFILE, &lim);
    }
    return ks::cli::run(argc, argv);
}
