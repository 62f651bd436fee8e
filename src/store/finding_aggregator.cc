// FindingAggregator: the in-memory half of "record". Add is the analyzer's hot path, so a hit
// on an existing (key, hour) looks the key up through string views and allocates nothing.

#include <algorithm>
#include <functional>
#include <string_view>

#include "rls_shadow/store.h"
#include "store/counter_merge.h"
#include "store/key_codec.h"

namespace rls_shadow {
namespace {

// boost::hash_combine's mixing step: cheap, and good enough for a handful of string hashes.
size_t Mix(size_t seed, size_t v) {
  return seed ^ (v + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2));
}

size_t HashStr(std::string_view s) { return std::hash<std::string_view>{}(s); }

// The key hashes, from the hashes of the strings the two keys share (see Add).
size_t HashDenial(size_t table_hash, Command command, std::string_view policy,
                  std::string_view tenant, size_t code_path_hash, size_t lane_hash, Effect effect,
                  Cause cause, int64_t hour) {
  size_t h = table_hash;
  h = Mix(h, HashStr(policy));
  h = Mix(h, HashStr(tenant));
  h = Mix(h, code_path_hash);
  h = Mix(h, lane_hash);
  h = Mix(h, (static_cast<size_t>(command) << 16) | (static_cast<size_t>(effect) << 8) |
                 static_cast<size_t>(cause));
  return Mix(h, static_cast<size_t>(hour));
}

size_t HashAccess(size_t table_hash, size_t code_path_hash, size_t lane_hash, Effect effect,
                  int64_t hour) {
  size_t h = table_hash;
  h = Mix(h, code_path_hash);
  h = Mix(h, lane_hash);
  h = Mix(h, static_cast<size_t>(effect));
  return Mix(h, static_cast<size_t>(hour));
}

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

size_t FindingAggregator::DenialSlotHash::operator()(const DenialSlot& s) const { return s.hash; }

size_t FindingAggregator::DenialSlotHash::operator()(const FindingView& v) const {
  return v.denial_hash;
}

bool FindingAggregator::DenialSlotEq::operator()(const FindingView& v, const DenialSlot& s) const {
  const Finding& f = *v.f;
  const DenialKey& k = s.key;
  return v.denial_hash == s.hash && v.hour == s.hour && f.command == k.command &&
         f.effect == k.effect && f.cause == k.cause && f.table == k.table && f.policy == k.policy &&
         KeyTenant(f) == k.tenant && f.code_path == k.code_path && f.lane == k.lane;
}

size_t FindingAggregator::AccessSlotHash::operator()(const AccessSlot& s) const { return s.hash; }

size_t FindingAggregator::AccessSlotHash::operator()(const FindingView& v) const {
  return v.access_hash;
}

bool FindingAggregator::AccessSlotEq::operator()(const FindingView& v, const AccessSlot& s) const {
  const Finding& f = *v.f;
  return v.access_hash == s.hash && v.hour == s.hour && f.effect == s.key.effect &&
         f.table == s.key.table && f.code_path == s.key.code_path && f.lane == s.key.lane;
}

FindingAggregator::FindingAggregator(size_t max_examples_per_key)
    : max_examples_(max_examples_per_key) {}

void FindingAggregator::Add(const Finding& f) {
  const int64_t hour = store::HourOf(f.time_us);
  // table, code_path and lane are in both keys: hash them once.
  const size_t table_hash = HashStr(f.table);
  const size_t code_path_hash = HashStr(f.code_path);
  const size_t lane_hash = HashStr(f.lane);
  const FindingView view{&f, hour,
                         HashDenial(table_hash, f.command, f.policy, KeyTenant(f), code_path_hash,
                                    lane_hash, f.effect, f.cause, hour),
                         HashAccess(table_hash, code_path_hash, lane_hash, f.effect, hour)};

  auto d = denials_.find(view);
  if (d == denials_.end()) {
    DenialSlot slot{DenialKey{f.table, f.command, f.policy, std::string(KeyTenant(f)), f.code_path,
                              f.lane, f.effect, f.cause},
                    view.hour, view.denial_hash};
    d = denials_.emplace(std::move(slot), Bucketed{}).first;
    auto a = accesses_.find(view);
    if (a == accesses_.end()) {
      AccessSlot access{AccessKey{f.table, f.code_path, f.lane, f.effect}, view.hour,
                        view.access_hash};
      a = accesses_.emplace(std::move(access), CounterValue{}).first;
    }
    d->second.access = &a->second;
  }
  Bucketed& bucket = d->second;
  Count(f.time_us, &bucket.value);
  Count(f.time_us, bucket.access);
  std::vector<const std::string*>& examples = bucket.examples;
  // Examples are kept for would-be denials only: an allowed statement needs no fixing.
  // Most findings repeat an example their key has: compared in place, that costs less than
  // hashing the text to intern it.
  if (f.effect != Effect::kAllow && examples.size() < max_examples_ && !f.example.empty() &&
      std::none_of(examples.begin(), examples.end(),
                   [&](const std::string* e) { return *e == f.example; })) {
    examples.push_back(&*example_pool_.insert(f.example).first);
  }
}

void FindingAggregator::AddInputStats(const InputStats& delta) {
  store::MergeInputStats(delta, &input_);
  has_input_ = true;
}

bool FindingAggregator::empty() const {
  return denials_.empty() && accesses_.empty() && !has_input_;
}

size_t FindingAggregator::size() const { return denials_.size() + accesses_.size(); }

void FindingAggregator::Clear() {
  denials_.clear();
  accesses_.clear();
  example_pool_.clear();
  input_ = InputStats{};
  has_input_ = false;
}

}  // namespace rls_shadow
