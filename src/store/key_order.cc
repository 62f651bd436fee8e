#include "store/key_order.h"

#include <algorithm>
#include <numeric>
#include <tuple>

namespace rls_shadow::store {
namespace {

// Sorts the numbers 0..n-1 by sort_key(number), which lists a key's fields in encoding order.
template <typename SortKey>
std::vector<uint32_t> SortedNumbers(size_t n, SortKey sort_key) {
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](uint32_t a, uint32_t b) { return sort_key(a) < sort_key(b); });
  return order;
}

}  // namespace

std::vector<uint32_t> ByteOrderRanks(const StringPool& pool) {
  const std::vector<uint32_t> by_text =
      SortedNumbers(pool.size(), [&](uint32_t id) { return pool[id]; });
  std::vector<uint32_t> rank(pool.size());
  for (uint32_t position = 0; position < by_text.size(); ++position) {
    rank[by_text[position]] = position;
  }
  return rank;
}

// The fields in the order EncodeDenialKey writes them (after the "d/" every key shares).
std::vector<uint32_t> DenialKeysInOrder(const DenseIndex<DenialIds>& index,
                                        const std::vector<uint32_t>& rank) {
  return SortedNumbers(index.size(), [&](uint32_t n) {
    const DenialIds& k = index.key(n);
    return std::make_tuple(k.hour, rank[k.table], k.command, rank[k.policy], rank[k.tenant],
                           rank[k.code_path], rank[k.lane], k.effect, k.cause);
  });
}

// Likewise for EncodeAccessKey.
std::vector<uint32_t> AccessKeysInOrder(const DenseIndex<AccessIds>& index,
                                        const std::vector<uint32_t>& rank) {
  return SortedNumbers(index.size(), [&](uint32_t n) {
    const AccessIds& k = index.key(n);
    return std::make_tuple(k.hour, rank[k.table], rank[k.code_path], rank[k.lane], k.effect);
  });
}

}  // namespace rls_shadow::store
