#include "source/pack_scan.hpp"

#include "source/git_handles.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <atomic>
#include <cstring>
#include <mutex>
#include <thread>

namespace ks {
namespace fs = std::filesystem;

using namespace pack;

class PackScan::BufferPool : public std::enable_shared_from_this<BufferPool> {
public:
    std::shared_ptr<std::string> get() {
        std::string* s = nullptr;
        {
            std::lock_guard lock(mu_);
            if (!free_.empty()) {
                s = free_.back().release();
                free_.pop_back();
                kept_ -= s->capacity();
            }
        }
        if (!s) s = new std::string;
        return std::shared_ptr<std::string>(s, [pool = shared_from_this()](std::string* b) { pool->put(b); });
    }

private:
    void put(std::string* b) {
        std::unique_ptr<std::string> owned(b);
        // Huge blobs are rare: do not keep their buffers for the rest of the scan; and keep at most
        // kKeep bytes of spare buffers in all.
        const std::size_t cap = owned->capacity();
        if (cap > (8u << 20)) return;
        std::lock_guard lock(mu_);
        if (kept_ + cap > kKeep) return;
        kept_ += cap;
        free_.push_back(std::move(owned));
    }
    static constexpr std::size_t kKeep = 8u << 20;
    std::mutex mu_;
    std::vector<std::unique_ptr<std::string>> free_;
    std::size_t kept_ = 0;
};

namespace {

// The ids of the loose objects (objects/xx/<38 hex digits>).
std::vector<git_oid> loose_ids(const fs::path& objects_dir) {
    std::vector<git_oid> out;
    std::error_code ec;
    for (const auto& dir : fs::directory_iterator(objects_dir, ec)) {
        const std::string d = dir.path().filename().string();
        if (d.size() != 2 || !std::isxdigit(static_cast<unsigned char>(d[0])) ||
            !std::isxdigit(static_cast<unsigned char>(d[1])))
            continue;
        std::error_code ec2;
        for (const auto& f : fs::directory_iterator(dir.path(), ec2)) {
            const std::string hex = d + f.path().filename().string();
            git_oid id;
            if (hex.size() == GIT_OID_HEXSZ && git_oid_fromstrn(&id, hex.c_str(), hex.size()) == 0) out.push_back(id);
        }
    }
    return out;
}

}  // namespace

PackScan::PackScan(const fs::path& objects_dir, Diagnostics& diag)
    : pool_(std::make_shared<BufferPool>()), diag_(diag) {
    std::error_code ec;
    std::vector<fs::path> idxs;
    for (const auto& e : fs::directory_iterator(objects_dir / "pack", ec))
        if (e.path().extension() == ".idx") idxs.push_back(e.path());
    std::sort(idxs.begin(), idxs.end());
    for (const auto& idx : idxs) {
        auto pack = std::make_unique<pack::Index>();
        std::string err = pack::load(*pack, idx);
        if (!err.empty()) {
            diag_.warn("corrupt", idx.string(), err + "; its objects are read one by one");
            continue;
        }
        packs_.push_back(std::move(pack));
    }
    pack::mark_shared_keys(packs_, loose_ids(objects_dir));
}

PackScan::~PackScan() = default;

namespace {

// One worker's state: its decompressor and scratch buffers, reused across objects.
struct Worker {
    Inflater z;
    std::string packed, delta;
};

}  // namespace

void PackScan::run(unsigned threads, std::uint64_t max_size, const PackWant& want, const PackVisit& visit, const std::function<void(unsigned)>& when_idle) {
    // Work items: (pack, place of a tree's root in Index::tree), the largest delta trees first (a file
    // with a thousand versions is one tree, resolved on one thread: started last, it would finish long
    // after the rest).
    std::vector<std::pair<std::uint32_t, std::uint32_t>> roots;
    std::vector<std::uint64_t> weight;
    for (std::uint32_t pk = 0; pk < packs_.size(); ++pk) {
        const pack::Index& p = *packs_[pk];
        for (std::uint32_t k = 0; k < p.tree.size(); k += p.tree_size[k]) {
            std::uint64_t bytes = 0;
            // Packed bytes stand in for the work (sizes are in the entry headers, not kept): text
            // inflates about fourfold, and every object costs a visit.
            for (std::uint32_t j = k; j < k + p.tree_size[k]; ++j)
                bytes += (p.end_of(p.tree[j]) - p.offset[p.tree[j]]) * 4 + 4096;
            roots.emplace_back(pk, k);
            weight.push_back(bytes);
        }
    }
    std::vector<std::size_t> order(roots.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return weight[a] > weight[b]; });
    std::atomic<std::size_t> next{0};

    auto work = [&](unsigned t) {
        Worker w;
        // Reports the entry at place `k` of the delta trees, and everything that deltas against it,
        // as unreadable.
        auto fail_subtree = [&](std::uint32_t pk, std::uint32_t k, PackBlobStatus st, const std::string& why) {
            const pack::Index& p = *packs_[pk];
            const std::uint32_t e = p.tree[k];
            std::string below;  // what its deltas are told, with its id read once
            for (std::uint32_t j = k; j < k + p.tree_size[k]; ++j) {
                const std::uint32_t x = p.tree[j];
                const git_oid id = p.id_of(x);
                if (!want({pk, x}, id)) continue;
                if (x != e && below.empty()) below = "its delta base " + git::hex(p.id_of(e)) + ": " + why;
                visit(t, {pk, x}, id, st, nullptr, x == e ? why : below);
            }
        };
        // Inflates the entry at place `k` (applying its delta to `base` when it is one) into a pooled
        // buffer, visits it, then its deltas, depth-first; the buffer is theirs to read as their base.
        // The last delta gets it to keep: a base is let go as soon as its last delta is applied, so a
        // chain of 50 versions holds one or two buffers, not 50.
        std::function<void(std::uint32_t, std::uint32_t, std::shared_ptr<std::string>)> resolve =
            [&](std::uint32_t pk, std::uint32_t k, std::shared_ptr<std::string> base) {
                const pack::Index& p = *packs_[pk];
                const std::uint32_t e = p.tree[k];
                std::shared_ptr<std::string> buf = pool_->get();
                std::string& out = *buf;
                const git_oid id = p.id_of(e);
                auto too_large = [&](std::uint64_t size) {
                    fail_subtree(pk, k, PackBlobStatus::too_large,
                                 "blob of " + std::to_string(size) + " bytes is over --max-blob-size (" +
                                     std::to_string(max_size) + ")");
                };
                std::uint64_t size = 0;
                // A delta's own size says nothing of its result's: that is checked once applied.
                const EntryData read = inflate_entry(p, e, w.z, w.packed, base ? w.delta : out, size,
                                                     base ? ~std::uint64_t(0) : max_size);
                if (read == EntryData::too_large) return too_large(size);
                if (read == EntryData::unreadable)
                    return fail_subtree(pk, k, PackBlobStatus::corrupt, "cannot read pack " + p.path.string());
                if (read == EntryData::corrupt)
                    return fail_subtree(pk, k, PackBlobStatus::corrupt,
                                        (base ? "delta data is corrupt in " : "zlib data is corrupt in ") + p.path.string());
                if (base) {
                    if (!apply_git_delta(*base, w.delta, out))
                        return fail_subtree(pk, k, PackBlobStatus::corrupt, "delta does not apply to its base");
                    base.reset();
                    if (out.size() > max_size) return too_large(out.size());
                }
                if (want({pk, e}, id)) visit(t, {pk, e}, id, PackBlobStatus::ok, buf, {});
                // Its deltas' subtrees follow it in `tree`, one after another.
                const std::uint32_t end = k + p.tree_size[k];
                for (std::uint32_t c = k + 1; c < end;) {
                    const std::uint32_t after = c + p.tree_size[c];
                    resolve(pk, c, after == end ? std::move(buf) : buf);
                    c = after;
                }
            };
        for (std::size_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < roots.size();) {
            const auto [pk, k] = roots[order[i]];
            resolve(pk, k, {});
        }
    };
    std::exception_ptr failure;
    std::mutex failure_mu;
    auto guarded = [&](unsigned t) {
        auto fail = [&] {
            std::lock_guard lock(failure_mu);
            if (!failure) failure = std::current_exception();
            next.store(roots.size());  // stop the others early
        };
        try {
            work(t);
        } catch (...) {
            fail();
        }
        // Every worker says it is idle exactly once, even after a failure.
        if (when_idle) try {
                when_idle(t);
            } catch (...) {
                fail();
            }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(guarded, t);
    guarded(0);
    for (auto& th : pool) th.join();
    if (failure) std::rethrow_exception(failure);
}

}  // namespace ks
