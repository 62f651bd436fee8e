#include "pipeline/analyze_job.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <sstream>

#include "analyze/shadow_engine.h"
#include "common/json_writer.h"
#include "pipeline/change_feed.h"
#include "rls_shadow/store.h"

namespace rls_shadow {
namespace {

constexpr char kSessionsSnapshot[] = "sessions";

Status ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error(fmt::format("cannot read {}", path));
  std::stringstream buf;
  buf << in.rdbuf();
  *out = buf.str();
  return Status::Ok();
}

// A digest of the first min(4 KiB, limit) bytes of `path`: equal for a file that has only
// grown since, different for a file replaced under the same name (rotation).
std::string Fingerprint(const std::string& path, uint64_t limit) {
  std::ifstream in(path, std::ios::binary);
  std::string head(static_cast<size_t>(std::min<uint64_t>(4096, limit)), '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  return fmt::format("{}:{:016x}", head.size(), std::hash<std::string>{}(head));
}

uint64_t FileSize(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  return in ? static_cast<uint64_t>(in.tellg()) : 0;
}

std::string VerdictLine(const Finding& f) {
  JsonWriter w;
  w.BeginObject()
      .Key("session_id")
      .String(f.session_id)
      .Key("line_num")
      .Int(f.line_num)
      .Key("table")
      .String(f.table)
      .Key("command")
      .String(CommandName(f.command))
      .Key("effect")
      .String(EffectName(f.effect))
      .Key("cause")
      .String(CauseName(f.cause))
      .Key("policy")
      .String(f.policy)
      .Key("sqlstate")
      .String(f.sqlstate)
      .Key("detail")
      .String(f.detail)
      .Key("tenant")
      .String(f.tenant)
      .Key("role")
      .String(f.role)
      .Key("code_path")
      .String(f.code_path)
      .Key("lane")
      .String(f.lane)
      .EndObject();
  return w.str();
}

std::string DeadLetterLine(const RejectedRecord& r, std::string_view raw) {
  JsonWriter w;
  w.BeginObject()
      .Key("source")
      .String(r.position.source)
      .Key("line")
      .Uint(r.position.line)
      .Key("offset")
      .Uint(r.position.offset)
      .Key("reason")
      .String(r.reason)
      .Key("message")
      .String(r.message)
      .Key("raw")
      .String(raw)
      .EndObject();
  return w.str();
}

// Where to resume reading `path` (a file: its checkpoint in the store, when the file is still
// the one read before). Sets *skip when it was read to its end already; *source_id is the
// checkpoint's name ("" for stdin).
Status ResumePoint(const Store& store, const std::string& path, std::string* source_id,
                   uint64_t* start_offset, uint64_t* start_line, bool* skip) {
  *skip = false;
  *start_offset = 0;
  *start_line = 0;
  source_id->clear();
  if (path == "-") return Status::Ok();
  *source_id = std::filesystem::absolute(path).lexically_normal().string();
  const uint64_t size = FileSize(path);
  std::optional<SourceCheckpoint> cp;
  // LoadCheckpoint, not GetCheckpoint: a read error must not look like "never read".
  if (Status st = store.LoadCheckpoint(*source_id, &cp); !st.ok()) return st;
  if (cp && cp->offset <= size && Fingerprint(path, cp->offset) == cp->fingerprint) {
    if (cp->offset == size) {
      spdlog::info("{}: already analysed up to byte {}, skipped", path, cp->offset);
      *skip = true;
      return Status::Ok();
    }
    spdlog::info("{}: resuming at byte {} (line {})", path, cp->offset, cp->line);
    *start_offset = cp->offset;
    *start_line = cp->line;
  } else if (cp) {
    spdlog::info("{}: not the file analysed before (replaced or truncated): read from the start",
                 path);
  }
  return Status::Ok();
}

}  // namespace

Status LoadCatalog(const std::string& roles_path, const std::string& schema_path,
                   const std::string& policies_path, PolicyCatalog* catalog) {
  for (const std::string& path : {roles_path, schema_path, policies_path}) {
    if (path.empty()) continue;
    std::string text;
    if (Status s = ReadFile(path, &text); !s.ok()) return s;
    if (Status s = catalog->Apply(text, path); !s.ok()) return s;
  }
  return Status::Ok();
}

Status RunAnalyze(const AnalyzeOptions& options, AnalyzeSummary* summary) {
  auto reads_stdin = [](const std::vector<std::string>& paths) {
    return std::find(paths.begin(), paths.end(), "-") != paths.end();
  };
  if (reads_stdin(options.log_paths) && reads_stdin(options.cdc_paths)) {
    return Status::Error("standard input can feed --log or --cdc, not both");
  }
  PolicyCatalog catalog;
  if (Status s =
          LoadCatalog(options.roles_path, options.schema_path, options.policies_path, &catalog);
      !s.ok()) {
    return s;
  }
  if (catalog.RlsTables().empty()) {
    spdlog::warn(
        "the schema and migration enable row-level security on no table: nothing to "
        "evaluate");
  }

  std::unique_ptr<Store> store;
  if (Status s = Store::Open(options.db_dir, &store); !s.ok()) return s;
  if (Status s = store->PutTables(catalog.RlsTables()); !s.ok()) return s;

  std::ofstream verdicts;
  if (!options.verdicts_path.empty()) {
    verdicts.open(options.verdicts_path, std::ios::trunc);
    if (!verdicts) return Status::Error(fmt::format("cannot write {}", options.verdicts_path));
  }
  std::ofstream dead_letters;
  if (!options.dead_letter_path.empty()) {
    dead_letters.open(options.dead_letter_path, std::ios::app);
    if (!dead_letters) {
      return Status::Error(fmt::format("cannot write {}", options.dead_letter_path));
    }
  }

  FindingAggregator aggregator(options.config.analyzer.max_examples);
  ShadowEngine engine(catalog, options.config.analyzer, [&](const Finding& f) {
    aggregator.Add(f);
    ++summary->findings;
    if (IsWouldBeDenial(f.effect)) ++summary->would_be_denials;
    if (verdicts.is_open()) verdicts << VerdictLine(f) << '\n';
  });

  // Sessions still open at the end of the previous run continue with the context they had.
  std::optional<std::string> saved_sessions;
  if (Status s = store->LoadSnapshot(kSessionsSnapshot, &saved_sessions); !s.ok()) return s;
  if (saved_sessions && !engine.RestoreSessions(*saved_sessions)) {
    return Status::Error(
        fmt::format("{}: the stored session snapshot is unreadable", options.db_dir));
  }

  std::vector<SourceCheckpoint> checkpoints;
  uint64_t rejects_logged = 0;
  std::mutex reject_mu;  // the change feed reports rejects from its own thread
  auto on_reject = [&](const RejectedRecord& r, std::string_view raw) {
    std::lock_guard<std::mutex> lock(reject_mu);
    if (rejects_logged++ < 10) {
      spdlog::warn("{}:{}: rejected ({}): {}", r.position.source, r.position.line, r.reason,
                   r.message);
    }
    if (dead_letters.is_open()) dead_letters << DeadLetterLine(r, raw) << '\n';
  };

  // Logical decoding: the row index as stored, the seeds, then the change streams alongside
  // the logs.
  summary->changes_enabled = !options.cdc_paths.empty() || !options.seed_paths.empty();
  std::unique_ptr<ChangeFeed> feed;
  std::vector<ChangeSource> sources;
  std::vector<std::string> source_ids;  // checkpoint names of `sources`
  const ChangeSink on_change = [&](const ChangeEvent& e) { engine.OnChange(e); };
  if (summary->changes_enabled) {
    engine.EnableChanges(options.config.changes.join_window_us);
    Status restored = store->ScanRows([&](const RowRecord& r) {
      return engine.rows().Restore(r)
                 ? Status::Ok()
                 : Status::Error(fmt::format("{}: a stored row of {} is unreadable", options.db_dir,
                                             r.table));
    });
    if (!restored.ok()) return restored;
    for (const std::string& path : options.seed_paths) {
      ChangeReadSummary cs;
      if (Status s = ReadSeed(path, on_change, on_reject, &cs); !s.ok()) return s;
      summary->seed_rows += cs.events;
      summary->change_records_rejected += cs.records_rejected;
    }
    for (const std::string& path : options.cdc_paths) {
      ChangeSource source{path, {}};
      source.options.format = options.cdc_format;
      std::string source_id;
      bool skip = false;
      if (Status s = ResumePoint(*store, path, &source_id, &source.options.start_offset,
                                 &source.options.start_line, &skip);
          !s.ok()) {
        return s;
      }
      if (skip) {
        ++summary->sources_skipped;
        continue;
      }
      sources.push_back(std::move(source));
      source_ids.push_back(source_id);
    }
    if (!sources.empty()) feed = std::make_unique<ChangeFeed>(sources, on_reject);
  }

  for (const std::string& path : options.log_paths) {
    ReadOptions read;
    read.format = options.format;
    std::string source_id;
    bool skip = false;
    if (Status s =
            ResumePoint(*store, path, &source_id, &read.start_offset, &read.start_line, &skip);
        !s.ok()) {
      return s;
    }
    if (skip) {
      ++summary->sources_skipped;
      continue;
    }
    ReadSummary rs;
    Status s = ReadLog(
        path, read,
        [&](const LogEvent& e) {
          if (feed) feed->DeliverUntil(e.time_us, on_change);
          engine.OnEvent(e);
        },
        on_reject, &rs);
    if (!s.ok()) return s;
    if (!rs.language_warning.empty()) {
      spdlog::warn("{}: {}", path, rs.language_warning);
      summary->warnings.push_back(fmt::format("{}: {}", path, rs.language_warning));
    }
    summary->lines_read += rs.records_read + rs.records_rejected;
    summary->lines_rejected += rs.records_rejected;
    for (const auto& [reason, n] : rs.rejected_by_reason) summary->rejected_by_reason[reason] += n;
    if (!source_id.empty()) {
      checkpoints.push_back(
          {source_id, rs.end_offset, rs.end_line, Fingerprint(path, rs.end_offset)});
    }
  }
  if (feed) {
    std::vector<ChangeReadSummary> read;
    Status s = feed->DeliverRest(on_change, &read);
    if (!s.ok()) return s;
    for (size_t i = 0; i < read.size() && i < sources.size(); ++i) {
      summary->change_records_read += read[i].records_read;
      summary->change_records_rejected += read[i].records_rejected;
      for (const auto& [reason, n] : read[i].rejected_by_reason) {
        summary->rejected_by_reason["cdc_" + reason] += n;
      }
      if (!source_ids[i].empty()) {
        const std::string& path = sources[i].path;
        checkpoints.push_back({source_ids[i], read[i].end_offset, read[i].end_line,
                               Fingerprint(path, read[i].end_offset)});
      }
    }
  }
  if (rejects_logged > 10) spdlog::warn("... {} rejected records in all", rejects_logged);
  engine.Finish();
  if (const JoinStats* join = engine.join_stats()) summary->join = *join;
  summary->changes_not_applied = engine.stats().changes_not_applied;
  summary->indexed_rows = engine.rows().row_count();

  const EngineStats& es = engine.stats();
  summary->statements = es.statements;
  summary->statements_unparsed = es.statements_unparsed;
  summary->statements_failed_in_log = es.statements_failed_in_log;
  summary->parse_cache_hits = engine.analyzer().cache_hits();
  summary->parse_cache_misses = engine.analyzer().cache_misses();

  InputStats input;
  input.lines_read = summary->lines_read;
  input.events_analyzed = es.events;
  input.lines_rejected = summary->lines_rejected;
  input.rejected_by_reason = summary->rejected_by_reason;
  input.statements_unparsed = es.statements_unparsed;
  aggregator.AddInputStats(input);
  return store->Commit(aggregator, checkpoints, {{kSessionsSnapshot, engine.SaveSessions()}},
                       engine.rows().TakeChanges());
}

}  // namespace rls_shadow
