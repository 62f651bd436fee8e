// VerdictMemo: the verdicts PolicyEvaluator reached, kept for the next access that would reach
// them again. An application runs a few hundred statement shapes for a few hundred tenants, and
// most of what decides a verdict is the same from one execution to the next.
//
// Why a kept verdict is exact. A verdict is a function of
//  - the access, as far as the evaluator reads it: its verdict shape (see PolicyEvaluator).
//    Accesses of one shape (the same table, command and flags, the same expressions for the
//    policy columns, whatever else the statements differ in) form a group and share verdicts.
//    The catalog and configuration never change under an engine;
//  - what the evaluation read from the session: the roles, row_security, whether the statement
//    calls set_config, and the settings and $n parameters the expressions read. The memo learns
//    the last two from the evaluation itself (its signature: which settings and parameters it
//    read) and keys the verdict by the signature and the values read.
// Evaluation is deterministic: given the same values for everything an earlier evaluation of
// the group read, it reads the same things and reaches the same verdict. A group has one
// signature or a few (a CASE may read different settings on different paths); each is tried.
//
// The cause of a denial also reads where the context came from (which transaction, lane and
// code path set it), which changes with every job: the memo keeps what it needs to work the
// cause out again (DenialFacts) instead.
//
// Only for evaluations that read nothing but the session: not with the row index or changed
// rows. Not thread-safe: one per engine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "analyze/session_state.h"
#include "common/dense_index.h"
#include "common/flat_text_map.h"
#include "common/id_map.h"
#include "rls_shadow/finding.h"

namespace rls_shadow {

// What the cause of a denial is worked out from besides the session: PolicyEvaluator works it
// out afresh for every access, since it also reads where the session's context came from.
struct DenialFacts {
  bool cause_pending = false;  // a denial whose cause is still to be worked out
  bool is_owner = false;       // the role owns the table (the cause is then owner bypass lost)
  bool no_permissive = false;  // no permissive policy applied
  // The setting the tenant is read from: a name in the catalog or the configuration, which
  // outlive the engine.
  std::string_view context_name;
  bool operator==(const DenialFacts&) const = default;
};

class VerdictMemo {
 public:
  static constexpr uint32_t kNoGroup = UINT32_MAX;

  // A verdict: the Finding fields an evaluation sets (the cause is kNone while pending), and
  // what its denial cause needs.
  struct Verdict {
    Effect effect = Effect::kAllow;
    Cause cause = Cause::kNone;
    std::string policy;
    std::string tenant;
    std::string sqlstate;
    std::string detail;
    DenialFacts facts;
    bool operator==(const Verdict&) const = default;
  };

  // The session's side of an access, besides the settings and parameters it reads.
  struct Lookup {
    uint32_t group = kNoGroup;  // from Group()
    std::string_view role;      // whose policies apply
    std::string_view current_user;
    std::string_view session_user;
    bool row_security_off = false;
    bool settings_changed = false;  // set_config in the same statement
    const SessionState* session = nullptr;
    const std::vector<std::optional<std::string>>* params = nullptr;
  };

  // What one evaluation read from the session.
  struct Reads {
    // Each once, in the order first read. Copies: a name evaluated from a parameter
    // (current_setting($1)) lives only as long as its evaluation.
    std::vector<std::string> settings;
    std::vector<int> params;  // $n numbers, repeats included
    void AddSetting(std::string_view name);
    void Clear() {
      settings.clear();
      params.clear();
    }
  };

  // At most `max_verdicts` are kept, and the groups of at most as many accesses; past that,
  // all are dropped and learnt again.
  explicit VerdictMemo(size_t max_verdicts = size_t{1} << 17);

  // The group of the access numbered `access` (TableAccess::id), kNoGroup until Group has
  // been told its shape.
  uint32_t GroupOf(uint64_t access) const;
  // The group of the accesses whose verdict shape is `shape`, which access `access` has.
  uint32_t Group(uint64_t access, std::string_view shape);

  // An empty Reads for the evaluation about to run (reused, so it allocates nothing).
  Reads* StartReads() {
    reads_.Clear();
    return &reads_;
  }
  // The verdict kept for the access `lookup` describes, in its session now; null when none.
  // Valid until the next Add.
  const Verdict* Find(const Lookup& lookup);
  // After Find gave null: keeps `verdict`, which an evaluation in the same session reached
  // reading `reads`.
  void Add(const Lookup& lookup, const Reads& reads, const Verdict& verdict);

  // Checking mode, for tests: every access is evaluated, and a kept verdict that differs from
  // the evaluation's is counted (the evaluation's is used).
  void set_verify(bool verify) { verify_ = verify; }
  bool verify() const { return verify_; }
  void CountMismatch() { ++mismatches_; }

  size_t hits() const { return hits_; }
  size_t misses() const { return misses_; }
  size_t mismatches() const { return mismatches_; }
  size_t size() const { return verdicts_.size(); }
  size_t groups() const { return shapes_.size(); }

 private:
  // What an evaluation read: setting names in order, $n numbers sorted, once each.
  struct Signature {
    std::vector<std::string> settings;
    std::vector<int> params;
    bool operator==(const Signature&) const = default;
  };
  // Many keys share a verdict (every execution allowed for one tenant, say): each distinct
  // verdict is kept once.
  struct PooledVerdict {
    Verdict verdict;
    uint64_t hash = 0;
    uint64_t Hash() const { return hash; }
    bool operator==(const Verdict& other) const { return verdict == other; }
  };
  // A group has a signature or two; past this many, new ones are not kept.
  static constexpr size_t kMaxSignatures = 8;

  void Clear();
  // Encodes into key_ the lookup, the signature's number and the values the session holds now
  // for what the signature names.
  void Encode(const Lookup& lookup, uint32_t number, const Signature& signature);

  size_t max_verdicts_;
  common::IdMap group_of_;                            // by access id
  std::unordered_map<std::string, uint32_t> shapes_;  // verdict shape → group
  std::vector<std::vector<Signature>> signatures_;    // by group
  common::FlatTextMap verdicts_;  // encoded key → its verdict in verdict_pool_
  common::DenseIndex<PooledVerdict> verdict_pool_;
  std::string key_;      // reused
  Signature signature_;  // reused by Add
  Reads reads_;          // see StartReads
  bool verify_ = false;
  size_t hits_ = 0;
  size_t misses_ = 0;
  size_t mismatches_ = 0;
};

}  // namespace rls_shadow
