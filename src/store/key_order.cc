#include "store/key_order.h"

#include <algorithm>
#include <array>
#include <utility>

#include "store/key_codec.h"

namespace rls_shadow::store {
namespace {

// Sorts the numbers 0..n-1 by sort_key(number), which lists a key's fields in encoding order.
// The sort keys are computed once, beside their numbers, so a comparison reads one array.
template <typename SortKey>
std::vector<uint32_t> SortedNumbers(size_t n, SortKey sort_key) {
  std::vector<std::pair<decltype(sort_key(0)), uint32_t>> keyed;
  keyed.reserve(n);
  for (uint32_t number = 0; number < n; ++number) keyed.emplace_back(sort_key(number), number);
  std::sort(keyed.begin(), keyed.end());
  std::vector<uint32_t> order;
  order.reserve(n);
  for (const auto& entry : keyed) order.push_back(entry.second);
  return order;
}

// Two fields in one word, the first deciding.
uint64_t Pair(uint32_t first, uint32_t second) { return (uint64_t{first} << 32) | second; }

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

// A key's fields packed into words compared in turn, in the order EncodeDenialKey writes them
// (after the "d/" every key shares): hour (its sign bit flipped, as AppendHour does), table,
// command, policy, tenant, code path, lane, effect, cause.
std::vector<uint32_t> DenialKeysInOrder(const DenseIndex<DenialIds>& index,
                                        const std::vector<uint32_t>& rank) {
  return SortedNumbers(index.size(), [&](uint32_t n) {
    const DenialIds& k = index.key(n);
    return std::array<uint64_t, 5>{HourWord(k.hour), Pair(rank[k.table], k.command),
                                   Pair(rank[k.policy], rank[k.tenant]),
                                   Pair(rank[k.code_path], rank[k.lane]), Pair(k.effect, k.cause)};
  });
}

// Likewise for EncodeAccessKey: hour, table, code path, lane, effect.
std::vector<uint32_t> AccessKeysInOrder(const DenseIndex<AccessIds>& index,
                                        const std::vector<uint32_t>& rank) {
  return SortedNumbers(index.size(), [&](uint32_t n) {
    const AccessIds& k = index.key(n);
    return std::array<uint64_t, 3>{HourWord(k.hour), Pair(rank[k.table], rank[k.code_path]),
                                   Pair(rank[k.lane], k.effect)};
  });
}

}  // namespace rls_shadow::store
