#include "analyze/verdict_memo.h"

#include <algorithm>

#include "common/key_bytes.h"
#include "common/text_hash.h"

namespace rls_shadow {
namespace {

uint64_t HashVerdict(const VerdictMemo::Verdict& v) {
  using common::HashText;
  using common::MixHash;
  uint64_t h = MixHash(HashText(v.policy), HashText(v.tenant));
  h = MixHash(h, HashText(v.sqlstate));
  h = MixHash(h, HashText(v.detail));
  h = MixHash(h, HashText(v.facts.context_name));
  return MixHash(h, static_cast<uint64_t>(v.effect) | static_cast<uint64_t>(v.cause) << 8 |
                        uint64_t{v.facts.cause_pending} << 16 | uint64_t{v.facts.is_owner} << 17 |
                        uint64_t{v.facts.no_permissive} << 18);
}

// A value that may be missing: a tag byte, then the text when there is one.
enum : char { kAbsent = 0, kNull = 1, kText = 2 };

}  // namespace

void VerdictMemo::Reads::AddSetting(std::string_view name) {
  if (std::find(settings.begin(), settings.end(), name) == settings.end()) {
    settings.emplace_back(name);
  }
}

VerdictMemo::VerdictMemo(size_t max_verdicts) : max_verdicts_(max_verdicts) {}

void VerdictMemo::Clear() {
  group_of_.Clear();
  shapes_.clear();
  signatures_.clear();
  verdicts_.Clear();
  verdict_pool_.Clear();
}

uint32_t VerdictMemo::GroupOf(uint64_t access) const {
  const uint32_t group = group_of_.Find(access);
  return group == common::IdMap::kNone ? kNoGroup : group;
}

uint32_t VerdictMemo::Group(uint64_t access, std::string_view shape) {
  if (group_of_.size() >= max_verdicts_) Clear();
  auto [it, inserted] = shapes_.try_emplace(std::string(shape), 0);
  if (inserted) {
    it->second = static_cast<uint32_t>(signatures_.size());
    signatures_.emplace_back();
  }
  group_of_.Set(access, it->second);
  return it->second;
}

void VerdictMemo::Encode(const Lookup& lookup, uint32_t number, const Signature& signature) {
  key_.clear();
  common::AppendKeyWord(&key_, (uint64_t{lookup.group} << 32) | number);
  common::AppendKeyText(&key_, lookup.role);
  common::AppendKeyText(&key_, lookup.current_user);
  common::AppendKeyText(&key_, lookup.session_user);
  key_.push_back(static_cast<char>(lookup.row_security_off | (lookup.settings_changed << 1)));
  for (const std::string& name : signature.settings) {
    const std::optional<std::string_view> value = lookup.session->SettingView(name);
    key_.push_back(value ? kText : kAbsent);
    if (value) common::AppendKeyText(&key_, *value);
  }
  const auto* params = lookup.params;
  for (int n : signature.params) {
    // As Evaluator::LoggedParam reads $n: not logged, NULL or a text.
    if (params == nullptr || n < 1 || static_cast<size_t>(n) > params->size()) {
      key_.push_back(kAbsent);
      continue;
    }
    const std::optional<std::string>& value = (*params)[static_cast<size_t>(n) - 1];
    key_.push_back(value ? kText : kNull);
    if (value) common::AppendKeyText(&key_, *value);
  }
}

const VerdictMemo::Verdict* VerdictMemo::Find(const Lookup& lookup) {
  if (lookup.group < signatures_.size()) {
    const std::vector<Signature>& signatures = signatures_[lookup.group];
    for (uint32_t i = 0; i < signatures.size(); ++i) {
      Encode(lookup, i, signatures[i]);
      const uint32_t pooled = verdicts_.Find(key_, common::HashText(key_));
      if (pooled != common::FlatTextMap::kNone) {
        ++hits_;
        return &verdict_pool_.key(pooled).verdict;
      }
    }
  }
  ++misses_;
  return nullptr;
}

void VerdictMemo::Add(const Lookup& lookup, const Reads& reads, const Verdict& verdict) {
  // Not a group Group() gave since the memo was last emptied: nothing to keep it under.
  if (lookup.group >= signatures_.size()) return;
  if (verdicts_.size() >= max_verdicts_) {
    // Drop the verdicts only: the groups stay valid, and the caller holds one.
    verdicts_.Clear();
    verdict_pool_.Clear();
    for (std::vector<Signature>& signatures : signatures_) signatures.clear();
  }
  signature_.settings.assign(reads.settings.begin(), reads.settings.end());
  signature_.params = reads.params;
  std::sort(signature_.params.begin(), signature_.params.end());
  signature_.params.erase(std::unique(signature_.params.begin(), signature_.params.end()),
                          signature_.params.end());

  std::vector<Signature>& signatures = signatures_[lookup.group];
  auto found = std::find(signatures.begin(), signatures.end(), signature_);
  if (found == signatures.end()) {
    if (signatures.size() >= kMaxSignatures) return;
    signatures.push_back(signature_);
    found = signatures.end() - 1;
  }
  Encode(lookup, static_cast<uint32_t>(found - signatures.begin()), *found);
  const uint64_t hash = common::HashText(key_);
  if (verdicts_.Find(key_, hash) != common::FlatTextMap::kNone) return;
  const uint64_t verdict_hash = HashVerdict(verdict);
  uint32_t pooled = verdict_pool_.Find(verdict, verdict_hash);
  if (pooled == common::DenseIndex<PooledVerdict>::kNone) {
    pooled = verdict_pool_.Insert(PooledVerdict{verdict, verdict_hash});
  }
  verdicts_.Insert(key_, hash, pooled);
}

}  // namespace rls_shadow
