// `rls-shadow serve` against a real Kafka protocol peer (librdkafka's mock cluster, in this
// process): a recorded workload — a generated multi-tenant jsonlog and its wal2json changes —
// is produced to the topics, `rls-shadow serve` runs as child processes, and what they store
// is compared with `analyze` on the same files, after uninterrupted runs, clean stops, SIGKILLs
// at random moments, and a second instance taking partitions over.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <simdjson.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "jsonlog_generator.h"
#include "kafka/kafka_client.h"
#include "kafka/line_producer.h"
#include "kafka/mock_cluster.h"
#include "pipeline/analyze_job.h"
#include "rls_shadow/store.h"

namespace rls_shadow {
namespace {

namespace fs = std::filesystem;
using testing::MockCluster;

constexpr int kLogPartitions = 4;
const std::string kPolicies = std::string(RLS_SHADOW_SOURCE_DIR) + "/bench/policies/";

// A generated log whose sessions all end (as at a server shutdown), so that every statement's
// outcome is in the log and analyze and serve owe each other exactly the same counts.
struct Workload {
  std::string log_path;
  std::string changes_path;
  uint64_t log_lines = 0;
  uint64_t change_lines = 0;
};

Workload MakeWorkload(const fs::path& dir, uint64_t lines, uint64_t sessions) {
  Workload w;
  w.log_path = (dir / "workload.json").string();
  w.changes_path = (dir / "workload.cdc").string();
  std::FILE* log = std::fopen(w.log_path.c_str(), "w");
  std::FILE* changes = std::fopen(w.changes_path.c_str(), "w");
  bench::JsonLogOptions options;
  options.lines = lines;
  options.sessions = sessions;
  options.changes = changes;
  bench::JsonLogStats stats;
  EXPECT_TRUE(bench::GenerateJsonLog(options, log, &stats));
  std::fclose(log);
  std::fclose(changes);
  w.change_lines = stats.change_lines;
  // Disconnect every session still open, one millisecond after the last line.
  std::ifstream in(w.log_path);
  simdjson::dom::parser parser;
  std::map<std::string, std::string> open;  // session → user
  std::string line, last_timestamp;
  while (std::getline(in, line)) {
    simdjson::dom::element doc;
    if (parser.parse(line).get(doc) != simdjson::SUCCESS) continue;
    std::string_view session, user, message, timestamp;
    if (doc["session_id"].get_string().get(session) != simdjson::SUCCESS ||
        doc["timestamp"].get_string().get(timestamp) != simdjson::SUCCESS ||
        doc["user"].get_string().get(user) != simdjson::SUCCESS ||
        doc["message"].get_string().get(message) != simdjson::SUCCESS) {
      continue;
    }
    last_timestamp = std::string(timestamp);
    if (message.starts_with("disconnection:")) {
      open.erase(std::string(session));
    } else {
      open[std::string(session)] = std::string(user);
    }
  }
  std::ofstream out(w.log_path, std::ios::app);
  // The closing lines share the last line's time: the log stays ordered.
  for (const auto& [session, user] : open) {
    out << "{\"timestamp\":\"" << last_timestamp << "\",\"user\":\"" << user
        << "\",\"dbname\":\"app_production\",\"pid\":1,\"session_id\":\"" << session
        << "\",\"line_num\":999999,\"error_severity\":\"LOG\",\"message\":\"disconnection: "
           "session time: 0:00:01.000 user="
        << user << " database=app_production host=10.0.0.1 port=5000\"}\n";
  }
  out.close();
  std::ifstream count(w.log_path);
  while (std::getline(count, line)) ++w.log_lines;
  return w;
}

// Everything a state directory says, as text: counters, coverage, input health (read
// cumulatively) and the sessions serve keeps per partition.
std::string DumpStore(const std::string& dir, bool with_sessions) {
  std::unique_ptr<Store> store;
  Status s = Store::OpenReadOnly(dir, &store);
  if (!s.ok()) return "cannot open: " + s.message();
  std::ostringstream out;
  std::vector<DenialRow> denials;
  EXPECT_TRUE(store->ReadDenials(INT64_MIN / 2, INT64_MAX / 2, &denials).ok());
  for (const DenialRow& d : denials) {
    out << "d " << d.key.table << '|' << CommandName(d.key.command) << '|' << d.key.policy << '|'
        << d.key.tenant << '|' << d.key.code_path << '|' << d.key.lane << '|'
        << EffectName(d.key.effect) << '|' << CauseName(d.key.cause) << " = " << d.value.count
        << ' ' << d.value.first_seen_us << ' ' << d.value.last_seen_us << '\n';
  }
  std::vector<AccessRow> accesses;
  EXPECT_TRUE(store->ReadAccesses(INT64_MIN / 2, INT64_MAX / 2, &accesses).ok());
  for (const AccessRow& a : accesses) {
    out << "a " << a.key.table << '|' << a.key.code_path << '|' << a.key.lane << '|'
        << EffectName(a.key.effect) << " = " << a.value.count << '\n';
  }
  InputStats input;
  EXPECT_TRUE(store->ReadInputStats(&input).ok());
  out << "i read=" << input.lines_read << " analysed=" << input.events_analyzed
      << " rejected=" << input.lines_rejected << '\n';
  for (const auto& [reason, n] : input.rejected_by_reason)
    out << "r " << reason << '=' << n << '\n';
  if (with_sessions) {
    EXPECT_TRUE(store
                    ->ScanSnapshots("serve/s/",
                                    [&](std::string_view name, std::string_view blob) {
                                      out << "s " << name << ' ' << blob << '\n';
                                      return Status::Ok();
                                    })
                    .ok());
  }
  return out.str();
}

// Adds the counts of a DumpStore text ("<key> = <count> ...") to *sums by key.
void AddCounts(const std::string& dump, std::map<std::string, uint64_t>* sums) {
  std::istringstream in(dump);
  for (std::string line; std::getline(in, line);) {
    const size_t eq = line.find(" = ");
    if (eq == std::string::npos) continue;
    (*sums)[line.substr(0, eq)] += std::stoull(line.substr(eq + 3));
  }
}

uint64_t LinesRead(const std::string& dir) {
  std::unique_ptr<Store> store;
  if (!Store::OpenReadOnly(dir, &store).ok()) return 0;
  InputStats input;
  if (!store->ReadInputStats(&input).ok()) return 0;
  return input.lines_read;
}

uint64_t CheckpointOf(const std::string& dir, const std::string& source) {
  std::unique_ptr<Store> store;
  if (!Store::OpenReadOnly(dir, &store).ok()) return 0;
  std::optional<SourceCheckpoint> cp;
  if (!store->LoadCheckpoint(source, &cp).ok() || !cp) return 0;
  return cp->offset;
}

class ServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/rls-shadow-serve-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    ASSERT_TRUE(cluster_.ok()) << cluster_.error();
    ASSERT_TRUE(cluster_.CreateTopic("pg-log", kLogPartitions));
    ASSERT_TRUE(cluster_.CreateTopic("pg-changes", 1));
    ASSERT_TRUE(cluster_.CreateTopic("rls-shadow-changelog", 1));
    ASSERT_TRUE(cluster_.CreateTopic("rls-shadow-dead-letters", 1));
  }
  void TearDown() override {
    for (pid_t pid : children_) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
    if (!HasFailure()) fs::remove_all(dir_);
  }

  std::string Config(const std::string& instance, bool changes, int idle_flush_seconds = 2,
                     int batch_size = 400, const std::string& group = "serve-test") {
    const std::string path = (dir_ / (instance + ".toml")).string();
    std::ofstream out(path);
    out << "[kafka]\nbrokers = \"" << cluster_.bootstraps() << "\"\n"
        << "change_topic = \"" << (changes ? "pg-changes" : "") << "\"\n"
        << "group_id = \"" << group << "\"\n"
        << "[kafka.properties]\n\"fetch.wait.max.ms\" = 10\n\"session.timeout.ms\" = 6000\n"
        << "\"heartbeat.interval.ms\" = 500\n\"log_level\" = 3\n"
        << "[serve]\nstate_dir = \"" << (dir_ / instance).string() << "\"\n"
        << "instance_id = \"" << instance << "\"\n"
        << "policies = \"" << kPolicies << "migration.sql\"\n"
        << "schema = \"" << kPolicies << "schema.sql\"\n"
        << "roles = \"" << kPolicies << "roles.sql\"\n"
        << "batch_size = " << batch_size
        << "\nbatch_linger_ms = 20\nidle_flush_seconds = " << idle_flush_seconds << "\n"
        << "stats_interval_seconds = 5\nhttp = false\n";
    return path;
  }

  pid_t StartServe(const std::string& config, const std::string& instance) {
    return StartChild(instance, {"--config", config, "serve"});
  }

  // rls-shadow with `args`, its output appended to <name>.log.
  pid_t StartChild(const std::string& name, const std::vector<std::string>& args) {
    const std::string log = (dir_ / (name + ".log")).string();
    std::vector<char*> argv = {const_cast<char*>(RLS_SHADOW_BINARY)};
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_t pid = fork();
    if (pid == 0) {
      int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      dup2(fd, 1);
      dup2(fd, 2);
      execv(RLS_SHADOW_BINARY, argv.data());
      _exit(127);
    }
    children_.push_back(pid);
    return pid;
  }

  // Signals the child and waits (at most 60 s, then SIGKILL) for it to exit; returns its exit
  // status, or -signal.
  int Stop(pid_t pid, int signal) {
    kill(pid, signal);
    int status = 0;
    for (int i = 0; i < 600 && waitpid(pid, &status, WNOHANG) == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (waitpid(pid, &status, WNOHANG) == 0) {
      ADD_FAILURE() << "serve did not stop within 60 s of signal " << signal;
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
    }
    std::erase(children_, pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  }

  // Until the instances' stores have analysed `lines` log messages, every change message
  // (when `changes`) and have been idle long enough to complete what waited.
  bool WaitDone(const std::vector<std::string>& instances, uint64_t lines, uint64_t changes,
                int timeout_seconds = 120) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
    while (std::chrono::steady_clock::now() < deadline) {
      uint64_t read = 0;
      bool changes_done = true;
      for (const std::string& i : instances) {
        read += LinesRead((dir_ / i).string());
        if (changes > 0 && CheckpointOf((dir_ / i).string(), "kafka:pg-changes:0") < changes) {
          changes_done = false;
        }
      }
      if (read >= lines && changes_done) {
        std::this_thread::sleep_for(std::chrono::seconds(4));  // the idle flush (2 s) and commit
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return false;
  }

  std::string Analyze(const Workload& w, bool changes) {
    AnalyzeOptions options;
    options.policies_path = kPolicies + "migration.sql";
    options.schema_path = kPolicies + "schema.sql";
    options.roles_path = kPolicies + "roles.sql";
    options.log_paths = {w.log_path};
    if (changes) options.cdc_paths = {w.changes_path};
    options.db_dir = (dir_ / "analyze").string();
    AnalyzeSummary summary;
    Status s = RunAnalyze(options, &summary);
    EXPECT_TRUE(s.ok()) << s.message();
    return DumpStore(options.db_dir, false);
  }

  void Produce(const Workload& w, bool changes) {
    uint64_t n = 0;
    Status s = testing::ProduceLines(cluster_.bootstraps(), "pg-log", "session_id", w.log_path, &n);
    ASSERT_TRUE(s.ok()) << s.message();
    ASSERT_EQ(n, w.log_lines);
    if (changes) {
      s = testing::ProduceLines(cluster_.bootstraps(), "pg-changes", "xid", w.changes_path, &n);
      ASSERT_TRUE(s.ok()) << s.message();
      ASSERT_EQ(n, w.change_lines);
    }
  }

  std::string ServeLog(const std::string& instance) {
    std::ifstream in(dir_ / (instance + ".log"));
    std::stringstream buf;
    buf << in.rdbuf();
    return buf.str();
  }

  fs::path dir_;
  MockCluster cluster_;
  std::vector<pid_t> children_;
};

// Without the change stream: serve's counters equal analyze's on the same log, and a clean
// SIGTERM stop and restart neither loses nor repeats anything.
TEST_F(ServeTest, LogTopicCountsEqualAnalyzeAcrossCleanRestart) {
  Workload w = MakeWorkload(dir_, 6000, 120);
  Produce(w, false);
  const std::string expected = Analyze(w, false);
  const std::string config = Config("a", false);
  pid_t pid = StartServe(config, "a");
  // Stop it part-way, cleanly, and start again.
  while (LinesRead((dir_ / "a").string()) < w.log_lines / 3) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(Stop(pid, SIGTERM), 0) << ServeLog("a");
  StartServe(config, "a");
  ASSERT_TRUE(WaitDone({"a"}, w.log_lines, 0)) << ServeLog("a");
  EXPECT_EQ(DumpStore((dir_ / "a").string(), false), expected);
}

// With the change stream: row-level verdicts too; then SIGKILL at ten random moments, each
// followed by a restart; the final counters and the stored sessions equal an uninterrupted
// run's.
TEST_F(ServeTest, ExactlyOnceAcrossKills) {
  Workload w = MakeWorkload(dir_, 40000, 300);
  Produce(w, true);
  const std::string expected = Analyze(w, true);

  pid_t pid = StartServe(Config("steady", true), "steady");
  ASSERT_TRUE(WaitDone({"steady"}, w.log_lines, w.change_lines)) << ServeLog("steady");
  EXPECT_EQ(Stop(pid, SIGTERM), 0);
  const std::string steady = DumpStore((dir_ / "steady").string(), true);
  EXPECT_EQ(DumpStore((dir_ / "steady").string(), false), expected);

  // A second group, so the crashed run starts from the beginning of the topics; small batches,
  // so it commits often and the kills land between and inside commits.
  const std::string config = Config("crashed", true, 2, 40, "serve-kill");
  // Each run is killed a random 0-100 ms after it has made progress of its own, so every kill
  // lands while it consumes. (Each restart waits ~10 s: the mock cluster lets a new member in
  // only once the killed one's session has timed out.)
  std::mt19937 rng(7);
  int kills = 0;
  for (int round = 0; round < 10; ++round) {
    const uint64_t before = LinesRead((dir_ / "crashed").string());
    pid = StartServe(config, "crashed");
    for (int i = 0; i < 300 && LinesRead((dir_ / "crashed").string()) == before; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 100));
    Stop(pid, SIGKILL);
    const uint64_t after = LinesRead((dir_ / "crashed").string());
    if (after > before && after < w.log_lines) ++kills;
  }
  pid = StartServe(config, "crashed");
  ASSERT_TRUE(WaitDone({"crashed"}, w.log_lines, w.change_lines)) << ServeLog("crashed");
  EXPECT_EQ(Stop(pid, SIGTERM), 0);
  EXPECT_GE(kills, 8) << "kills that landed while serve was consuming";
  EXPECT_EQ(DumpStore((dir_ / "crashed").string(), true), steady) << ServeLog("crashed");
}

// The whole path: `rls-shadow ship --log` tails a jsonlog directory into the topic while
// `rls-shadow serve` consumes it; the counters equal analyze's on the file.
TEST_F(ServeTest, ShipIntoServeEqualsAnalyze) {
  Workload w = MakeWorkload(dir_, 6000, 120);
  const fs::path logs = dir_ / "pglog";
  fs::create_directories(logs);
  fs::copy_file(w.log_path, logs / "postgresql-2026-11-22_080000.json");
  const std::string expected = Analyze(w, false);
  const std::string config = Config("a", false);
  std::ofstream(config, std::ios::app)
      << "[ship]\ncheckpoint = \"" << (dir_ / "ship.checkpoint").string()
      << "\"\npoll_interval_ms = 20\n";
  pid_t ship = StartChild("ship", {"--config", config, "ship", "--log", logs.string()});
  pid_t serve = StartServe(config, "a");
  ASSERT_TRUE(WaitDone({"a"}, w.log_lines, 0)) << ServeLog("a") << ServeLog("ship");
  EXPECT_EQ(Stop(ship, SIGTERM), 0) << ServeLog("ship");
  EXPECT_EQ(Stop(serve, SIGTERM), 0) << ServeLog("a");
  EXPECT_EQ(DumpStore((dir_ / "a").string(), false), expected);
}

// Malformed messages go to the dead-letter topic with their reason and origin, are counted,
// and consumption goes on.
TEST_F(ServeTest, MalformedMessagesAreDeadLettered) {
  const std::string bad = (dir_ / "bad.json").string();
  {
    std::ofstream out(bad);
    out << "{not json\n"
        << "{\"timestamp\":\"2026-11-22 08:00:00.000 UTC\",\"session_id\":\"s1\","
           "\"error_severity\":\"LOG\",\"message\":\"statement: SELECT 1\"}\n";
  }
  uint64_t n = 0;
  ASSERT_TRUE(testing::ProduceLines(cluster_.bootstraps(), "pg-log", "", bad, &n).ok());
  // The second line is keyed "", not by its session: rejected as wrong_key.
  pid_t pid = StartServe(Config("a", false), "a");
  ASSERT_TRUE(WaitDone({"a"}, 2, 0)) << ServeLog("a");
  EXPECT_EQ(Stop(pid, SIGTERM), 0);
  const std::string dump = DumpStore((dir_ / "a").string(), false);
  EXPECT_NE(dump.find("rejected=2"), std::string::npos) << dump;
  EXPECT_NE(dump.find("r invalid_json=1"), std::string::npos) << dump;
  EXPECT_NE(dump.find("r wrong_key=1"), std::string::npos) << dump;

  // Read the dead-letter topic back: both messages, with reason and origin headers.
  KafkaConfig kc;
  kc.brokers = cluster_.bootstraps();
  KafkaConf conf;
  ASSERT_TRUE(
      MakeKafkaConf(kc, {{"group.id", "dlq-reader"}, {"fetch.wait.max.ms", "10"}}, &conf).ok());
  KafkaHandle consumer;
  ASSERT_TRUE(NewKafkaClient(RD_KAFKA_CONSUMER, std::move(conf), &consumer).ok());
  KafkaPartitionList list(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(list.get(), "rls-shadow-dead-letters", 0)->offset =
      RD_KAFKA_OFFSET_BEGINNING;
  ASSERT_EQ(rd_kafka_assign(consumer.get(), list.get()), RD_KAFKA_RESP_ERR_NO_ERROR);
  std::vector<std::string> reasons;
  for (int i = 0; i < 100 && reasons.size() < 2; ++i) {
    KafkaMessage m(rd_kafka_consumer_poll(consumer.get(), 100));
    if (!m || m->err) continue;
    reasons.emplace_back(HeaderValue(*m, "reason"));
    EXPECT_EQ(HeaderValue(*m, "topic"), "pg-log");
    EXPECT_FALSE(HeaderValue(*m, "offset").empty());
  }
  std::sort(reasons.begin(), reasons.end());
  EXPECT_EQ(reasons, (std::vector<std::string>{"invalid_json", "wrong_key"}));
  rd_kafka_consumer_close(consumer.get());
}

// Two instances share the partitions: together they count exactly what one does. Then one is
// killed and the other takes its partitions over, with the sessions the changelog holds.
TEST_F(ServeTest, TwoInstancesShareAndTakeOver) {
  Workload w = MakeWorkload(dir_, 8000, 150);
  // Half the log first: the partitions move while sessions are open.
  const std::string first = (dir_ / "first.json").string();
  const std::string second = (dir_ / "second.json").string();
  {
    std::ifstream in(w.log_path);
    std::ofstream a(first), b(second);
    std::string line;
    for (uint64_t i = 0; std::getline(in, line); ++i) (i < w.log_lines / 2 ? a : b) << line << '\n';
  }
  const std::string expected = Analyze(w, false);
  uint64_t n = 0;
  ASSERT_TRUE(testing::ProduceLines(cluster_.bootstraps(), "pg-log", "session_id", first, &n).ok());
  // No idle flush: a statement whose outcome is in the second half must wait for it.
  pid_t a = StartServe(Config("a", false, 3600), "a");
  pid_t b = StartServe(Config("b", false, 3600), "b");
  ASSERT_TRUE(WaitDone({"a", "b"}, w.log_lines / 2, 0)) << ServeLog("a") << ServeLog("b");
  // Both took part.
  EXPECT_GT(LinesRead((dir_ / "a").string()), 0u) << ServeLog("a");
  EXPECT_GT(LinesRead((dir_ / "b").string()), 0u) << ServeLog("b");
  Stop(b, SIGKILL);
  ASSERT_TRUE(
      testing::ProduceLines(cluster_.bootstraps(), "pg-log", "session_id", second, &n).ok());
  ASSERT_TRUE(WaitDone({"a", "b"}, w.log_lines, 0, 180)) << ServeLog("a");
  EXPECT_EQ(Stop(a, SIGTERM), 0);
  EXPECT_NE(ServeLog("a").find("the changelog, written by b"), std::string::npos) << ServeLog("a");

  // The sum of the two state directories equals one analyze run.
  std::map<std::string, uint64_t> sum;
  AddCounts(DumpStore((dir_ / "a").string(), false), &sum);
  AddCounts(DumpStore((dir_ / "b").string(), false), &sum);
  std::map<std::string, uint64_t> want;
  AddCounts(expected, &want);
  EXPECT_EQ(sum, want);
  EXPECT_EQ(LinesRead((dir_ / "a").string()) + LinesRead((dir_ / "b").string()), w.log_lines);
}

}  // namespace
}  // namespace rls_shadow
