#include "match/entropy.hpp"

#include <array>
#include <cmath>

namespace ks {

double shannon_entropy(std::string_view s) {
    if (s.empty()) return 0.0;
    std::array<unsigned, 256> counts{};
    for (unsigned char c : s) ++counts[c];
    double h = 0.0;
    const double n = double(s.size());
    for (unsigned c : counts) {
        if (!c) continue;
        double p = c / n;
        h -= p * std::log2(p);
    }
    return h;
}

}  // namespace ks
