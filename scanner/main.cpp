#include "cli/app.hpp"

#include <malloc.h>

int main(int argc, char** argv) {
    // Blocks of 128 KiB and more (blob buffers, tables) come from mmap and go back to the system when
    // freed. Left to itself, glibc raises that threshold to the largest block freed so far (the pack
    // index's scratch, megabytes), and blobs under it then stay resident in per-thread arenas: 20 MiB
    // more at the peak of a 40,000-commit scan, for no gain in speed.
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    return ks::cli::run(argc, argv);
}
