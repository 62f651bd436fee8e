// How two partial counters for the same key combine: counts add, first_seen is the earlier and
// last_seen the later time, examples are appended (without duplicates) up to a bound. The rule
// is associative and commutative on counters, so hour buckets, commits and aggregators can be
// combined in any order. Used by FindingAggregator (in memory), Store::Commit (stored + new)
// and the Store's reads (summing hours).
//
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "rls_shadow/store.h"

namespace rls_shadow::store {

// Adds `add` to `*into`. A counter with count 0 is empty: its times are ignored.
void MergeCounter(const CounterValue& add, CounterValue* into);

// Appends `example` unless `*into` has it or holds `bound` examples already. An empty string
// is not an example.
void MergeExample(std::string_view example, size_t bound, std::vector<std::string>* into);

// Adds every counter of `add` to `*into`.
void MergeInputStats(const InputStats& add, InputStats* into);

}  // namespace rls_shadow::store
