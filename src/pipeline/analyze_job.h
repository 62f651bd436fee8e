// AnalyzeJob: the `rls-shadow analyze` batch job. Loads the policy catalog, reads each log from
// where the previous run stopped (per-source checkpoints in the store), runs the ShadowEngine,
// aggregates findings in memory and commits them to the store in one WriteBatch together with
// the checkpoints, so a re-run over the same files never double-counts.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "analyze/change_joiner.h"
#include "analyze/policy_catalog.h"
#include "pipeline/config_file.h"
#include "rls_shadow/change_reader.h"
#include "rls_shadow/log_reader.h"
#include "rls_shadow/status.h"

namespace rls_shadow {

struct AnalyzeOptions {
  std::string policies_path;           // the restrictive migration
  std::string schema_path;             // pg_dump --schema-only
  std::string roles_path;              // pg_dumpall --roles-only
  std::vector<std::string> log_paths;  // "-" for stdin
  LogFormat format = LogFormat::kAuto;
  std::string db_dir;
  std::string verdicts_path;     // optional: one JSON line per finding
  std::string dead_letter_path;  // optional: one JSON line per rejected record
  // Logical decoding: change streams read alongside the logs (interleaved by time) and seed
  // files (pg_dump --data-only) applied before them.
  std::vector<std::string> cdc_paths;  // "-" for stdin
  CdcFormat cdc_format = CdcFormat::kAuto;
  std::vector<std::string> seed_paths;
  ShadowConfig config;
};

struct AnalyzeSummary {
  uint64_t lines_read = 0;
  uint64_t lines_rejected = 0;
  std::map<std::string, uint64_t> rejected_by_reason;
  uint64_t statements = 0;
  uint64_t statements_unparsed = 0;
  uint64_t statements_failed_in_log = 0;
  uint64_t findings = 0;
  uint64_t would_be_denials = 0;
  uint64_t sources_skipped = 0;  // already fully read by an earlier run
  uint64_t parse_cache_hits = 0;
  uint64_t parse_cache_misses = 0;
  std::vector<std::string> warnings;
  // With --cdc / --seed.
  bool changes_enabled = false;
  uint64_t change_records_read = 0;
  uint64_t change_records_rejected = 0;
  uint64_t seed_rows = 0;
  uint64_t changes_not_applied = 0;
  uint64_t indexed_rows = 0;
  JoinStats join;
};

// Replays the roles, the schema and then the migration into `catalog`.
Status LoadCatalog(const std::string& roles_path, const std::string& schema_path,
                   const std::string& policies_path, PolicyCatalog* catalog);

Status RunAnalyze(const AnalyzeOptions& options, AnalyzeSummary* summary);

}  // namespace rls_shadow
