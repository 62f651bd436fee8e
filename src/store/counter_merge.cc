#include "store/counter_merge.h"

#include <algorithm>

namespace rls_shadow::store {

void MergeCounter(const CounterValue& add, CounterValue* into) {
  if (add.count == 0) return;
  if (into->count == 0) {
    *into = add;
    return;
  }
  into->count += add.count;
  into->first_seen_us = std::min(into->first_seen_us, add.first_seen_us);
  into->last_seen_us = std::max(into->last_seen_us, add.last_seen_us);
}

void MergeExample(std::string_view example, size_t bound, std::vector<std::string>* into) {
  if (into->size() >= bound || example.empty() ||
      std::find(into->begin(), into->end(), example) != into->end()) {
    return;
  }
  into->emplace_back(example);
}

void MergeInputStats(const InputStats& add, InputStats* into) {
  into->lines_read += add.lines_read;
  into->events_analyzed += add.events_analyzed;
  into->lines_rejected += add.lines_rejected;
  into->statements_unparsed += add.statements_unparsed;
  for (const auto& [reason, count] : add.rejected_by_reason) {
    into->rejected_by_reason[reason] += count;
  }
}

}  // namespace rls_shadow::store
