// FindingAggregator: the in-memory half of "record". Add is the analyzer's hot path: a finding
// whose (key, hour) is known interns its five strings (small, hot tables), probes one flat table
// and bumps two counters; it allocates nothing.

#include <algorithm>
#include <functional>
#include <utility>

#include "common/text_hash.h"
#include "rls_shadow/store.h"
#include "store/aggregator_tables.h"
#include "store/counter_merge.h"
#include "store/key_codec.h"

namespace rls_shadow {
namespace store {

uint32_t StringPool::Intern(std::string_view s) {
  if (s.empty()) return 0;  // every allowed finding's tenant
  const uint64_t hash = common::HashText(s);
  if (const uint32_t id = index_.Find(s, hash); id != common::FlatTextMap::kNone) return id;
  const auto id = static_cast<uint32_t>(texts_.size());
  texts_.push_back(index_.Insert(s, hash, id));
  return id;
}

void StringPool::Clear() {
  index_.Clear();
  texts_.clear();
  texts_.push_back(index_.Insert("", common::HashText(""), 0));
}

}  // namespace store

namespace {

// Allowed accesses are counted per policy, code path and lane but not per tenant: a tenant is
// what a would-be denial needs to be acted on, while per-tenant allow counters would multiply
// the key space by the number of tenants for no reader.
std::string_view KeyTenant(const Finding& f) {
  return f.effect == Effect::kAllow ? std::string_view() : std::string_view(f.tenant);
}

void Count(int64_t time_us, CounterValue* v) {
  store::MergeCounter(CounterValue{1, time_us, time_us}, v);
}

}  // namespace

FindingAggregator::FindingAggregator(size_t max_examples_per_key)
    : max_examples_(max_examples_per_key), tables_(std::make_unique<Tables>()) {}

FindingAggregator::~FindingAggregator() = default;

FindingAggregator::FindingAggregator(FindingAggregator&& other) noexcept
    : max_examples_(other.max_examples_),
      tables_(std::exchange(other.tables_, std::make_unique<Tables>())) {}

FindingAggregator& FindingAggregator::operator=(FindingAggregator&& other) noexcept {
  max_examples_ = other.max_examples_;
  tables_.swap(other.tables_);
  other.Clear();
  return *this;
}

void FindingAggregator::Add(const Finding& f) {
  Tables& t = *tables_;
  const int64_t hour = store::HourOf(f.time_us);
  const uint32_t table = t.fields.Intern(f.table);
  const uint32_t code_path = t.fields.Intern(f.code_path);
  const uint32_t lane = t.fields.Intern(f.lane);
  const auto effect = static_cast<uint8_t>(f.effect);
  const store::DenialIds key{table,
                             t.fields.Intern(f.policy),
                             t.fields.Intern(KeyTenant(f)),
                             code_path,
                             lane,
                             static_cast<uint8_t>(f.command),
                             effect,
                             static_cast<uint8_t>(f.cause),
                             hour};
  bool inserted = false;
  const uint32_t d = t.denial_index.FindOrInsert(key, &inserted);
  if (inserted) {
    bool new_access = false;
    const uint32_t a = t.access_index.FindOrInsert(
        store::AccessIds{table, code_path, lane, effect, hour}, &new_access);
    if (new_access) t.accesses.emplace_back();
    t.denials.push_back(store::DenialCounts{{}, a, {}});
  }
  store::DenialCounts& bucket = t.denials[d];
  Count(f.time_us, &bucket.value);
  Count(f.time_us, &t.accesses[bucket.access]);
  // Examples are kept for would-be denials only: an allowed statement needs no fixing.
  // Most findings repeat an example their key has: compared in place, that costs less than
  // hashing the text to intern it.
  std::vector<uint32_t>& examples = bucket.examples;
  if (f.effect != Effect::kAllow && examples.size() < max_examples_ && !f.example.empty() &&
      std::none_of(examples.begin(), examples.end(),
                   [&](uint32_t e) { return t.examples[e] == f.example; })) {
    examples.push_back(t.examples.Intern(f.example));
  }
}

void FindingAggregator::AddInputStats(const InputStats& delta) {
  store::MergeInputStats(delta, &tables_->input);
  tables_->has_input = true;
}

bool FindingAggregator::empty() const { return size() == 0 && !tables_->has_input; }

size_t FindingAggregator::size() const {
  return tables_->denial_index.size() + tables_->access_index.size();
}

void FindingAggregator::Clear() {
  Tables& t = *tables_;
  t.fields.Clear();
  t.examples.Clear();
  t.denial_index.Clear();
  t.denials.clear();
  t.access_index.Clear();
  t.accesses.clear();
  t.input = InputStats{};
  t.has_input = false;
}

}  // namespace rls_shadow
