// rls-shadow ship against librdkafka's mock cluster: keys, every line exactly once across
// rotation (new file, rename + recreate, truncation), clean restarts and SIGKILL at random
// moments (rls-shadow as a child process), and the change stream keyed by xid with repeats
// skipped.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "kafka/kafka_client.h"
#include "kafka/mock_cluster.h"
#include "ship/ship.h"
#include "ship/ship_producer.h"

namespace rls_shadow::ship {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct Message {
  int32_t partition = 0;
  std::string key;
  std::string value;
  std::string source;
  std::string position;
};

// Every message of `topic` (read from the start to the end of each partition).
std::vector<Message> ConsumeAll(const std::string& brokers, const std::string& topic) {
  KafkaConfig config;
  config.brokers = brokers;
  ShipProducer probe;
  EXPECT_TRUE(probe.Open(config, topic).ok());
  std::vector<Message> out;
  Status s = probe.ReadBack({}, [&](const rd_kafka_message_t& m) {
    Message msg;
    msg.partition = m.partition;
    if (m.key) msg.key.assign(static_cast<const char*>(m.key), m.key_len);
    msg.value.assign(static_cast<const char*>(m.payload), m.len);
    msg.source = std::string(HeaderValue(m, kSourceHeader)) + "@" +
                 std::string(HeaderValue(m, kOffsetHeader));
    msg.position = std::string(HeaderValue(m, kPositionHeader));
    out.push_back(std::move(msg));
  });
  EXPECT_TRUE(s.ok()) << s.message();
  return out;
}

std::string Line(int session, int n) {
  return "{\"timestamp\":\"2026-11-22 10:00:00.000 UTC\",\"user\":\"app\",\"pid\":" +
         std::to_string(1000 + session) + ",\"session_id\":\"6571a3b2." + std::to_string(session) +
         "\",\"line_num\":" + std::to_string(n) +
         ",\"message\":\"statement: SELECT * FROM orders WHERE id = " + std::to_string(n) +
         "\"}\n";
}

void Append(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::app | std::ios::binary) << text;
}

std::string Lines(int first, int count) {
  std::string text;
  for (int i = first; i < first + count; ++i) text += Line(i % 17, i);
  return text;
}

class ShipTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cluster_.ok()) << cluster_.error();
    ASSERT_TRUE(cluster_.CreateTopic("pg-log", 4));
    ASSERT_TRUE(cluster_.CreateTopic("pg-changes", 1));
    dir_ = fs::temp_directory_path() /
           ("rls-shadow-ship-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "log");
    options_.kafka.brokers = cluster_.bootstraps();
    options_.kafka.change_topic = "pg-changes";
    options_.ship.checkpoint_path = (dir_ / "checkpoint").string();
    options_.ship.poll_interval_ms = 20;
    options_.log_path = (dir_ / "log").string();
    options_.stop = &stop_;
  }
  void TearDown() override {
    Stop();
    fs::remove_all(dir_);
  }

  void Start() {
    stop_ = false;
    thread_ = std::thread([this] { status_ = RunShipLog(options_, &summary_); });
  }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  // Waits until the log topic holds `count` messages (or 30 s), and returns them.
  std::vector<Message> WaitFor(size_t count) {
    std::vector<Message> got;
    for (auto deadline = std::chrono::steady_clock::now() + 30s;
         std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(50ms)) {
      got = ConsumeAll(options_.kafka.brokers, "pg-log");
      if (got.size() >= count) break;
    }
    return got;
  }
  // One run of ship until the topic holds `count` messages, a moment for stragglers, and a
  // clean stop. Call through ASSERT_NO_FATAL_FAILURE.
  void ShipUntilTopicHolds(size_t count) {
    Start();
    WaitFor(count);
    std::this_thread::sleep_for(300ms);
    Stop();
    ASSERT_TRUE(status_.ok()) << status_.message();
  }

  // Every line of `expected` exactly once in the topic (as a multiset of values).
  static void ExpectExactlyOnce(const std::vector<Message>& got, const std::string& expected) {
    std::map<std::string, int> want, have;
    for (size_t start = 0; start < expected.size();) {
      size_t nl = expected.find('\n', start);
      ++want[expected.substr(start, nl + 1 - start)];
      start = nl + 1;
    }
    for (const auto& m : got) ++have[m.value];
    EXPECT_EQ(got.size(), expected.empty() ? 0 : static_cast<size_t>(std::count(
                                                      expected.begin(), expected.end(), '\n')));
    for (const auto& [line, n] : want) {
      EXPECT_EQ(have[line], n) << line;
    }
  }

  testing::MockCluster cluster_;
  fs::path dir_;
  ShipOptions options_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  Status status_;
  ShipSummary summary_;
};

TEST_F(ShipTest, LinesKeyedBySessionAllLandOnlyComplete) {
  const fs::path log = dir_ / "log" / "postgresql-2026-11-22_100000.json";
  std::string text = Lines(0, 300);
  text += "this is not json\n";
  text += "{\"timestamp\":\"2026-11-22 10:00:00.000 UTC\",\"pid\":1,\"message\":\"postmaster\"}\n";
  Append(log, text);
  Append(log, "{\"session_id\":\"partial\"");  // not complete yet: not shipped
  Start();
  std::vector<Message> got = WaitFor(302);
  std::this_thread::sleep_for(200ms);
  got = ConsumeAll(options_.kafka.brokers, "pg-log");
  ExpectExactlyOnce(got, text);
  std::map<std::string, std::set<int32_t>> partitions_of_key;
  for (const auto& m : got) {
    size_t at = m.value.find("\"session_id\":\"");
    std::string session =
        at == std::string::npos
            ? ""
            : m.value.substr(at + 14, m.value.find('"', at + 14) - (at + 14));
    EXPECT_EQ(m.key, session);
    partitions_of_key[m.key].insert(m.partition);
    EXPECT_NE(m.source.find('@'), 0u);  // provenance headers present
  }
  for (const auto& [key, parts] : partitions_of_key) EXPECT_EQ(parts.size(), 1u) << key;
  EXPECT_GT(partitions_of_key.size(), 4u);

  Append(log, ",\"message\":\"done\"}\n");
  got = WaitFor(303);
  Stop();
  ASSERT_TRUE(status_.ok()) << status_.message();
  EXPECT_EQ(got.size(), 303u);
  EXPECT_EQ(std::count_if(got.begin(), got.end(),
                          [](const Message& m) {
                            return m.value == "{\"session_id\":\"partial\",\"message\":\"done\"}\n" &&
                                   m.key == "partial";
                          }),
            1);
  EXPECT_EQ(summary_.lines_without_key, 2u);
}

TEST_F(ShipTest, RotationNewFileRenameAndTruncateNeitherLoseNorRepeat) {
  const fs::path a = dir_ / "log" / "postgresql-2026-11-22_100000.json";
  const fs::path b = dir_ / "log" / "postgresql-2026-11-22_110000.json";
  std::string all;
  auto write = [&](const fs::path& p, const std::string& text) {
    Append(p, text);
    all += text;
  };
  write(a, Lines(0, 100));
  Start();
  WaitFor(100);
  // A new file (time-based rotation), while the old one gets a last line.
  write(a, Lines(100, 5));
  write(b, Lines(200, 50));
  WaitFor(155);
  // Renamed away and recreated under the same name; the renamed one still ends a line.
  fs::rename(b, dir_ / "log" / "moved.json.1");
  // Polls pass before the server writes again (to the renamed file: it has not rotated yet).
  std::this_thread::sleep_for(300ms);
  write(dir_ / "log" / "moved.json.1", Lines(250, 3));
  write(b, Lines(300, 40));
  WaitFor(198);
  // Truncated and rewritten under the same name (log_truncate_on_rotation).
  fs::resize_file(a, 0);
  write(a, Lines(400, 30));
  std::vector<Message> got = WaitFor(228);
  std::this_thread::sleep_for(300ms);
  got = ConsumeAll(options_.kafka.brokers, "pg-log");
  Stop();
  ASSERT_TRUE(status_.ok()) << status_.message();
  ExpectExactlyOnce(got, all);
}

TEST_F(ShipTest, CleanRestartResumesWithoutDuplicates) {
  const fs::path a = dir_ / "log" / "postgresql-2026-11-22_100000.json";
  std::string all = Lines(0, 200);
  Append(a, all);
  Start();
  WaitFor(200);
  Stop();
  ASSERT_TRUE(status_.ok()) << status_.message();
  std::string more = Lines(200, 100);
  Append(a, more);
  all += more;
  ASSERT_NO_FATAL_FAILURE(ShipUntilTopicHolds(300));
  ExpectExactlyOnce(ConsumeAll(options_.kafka.brokers, "pg-log"), all);
  EXPECT_EQ(summary_.lines_produced, 100u);
}

// rls-shadow ship as a child process, killed with SIGKILL at random moments while it works.
TEST_F(ShipTest, SigkillAtRandomMomentsNeitherLosesNorRepeats) {
  const fs::path config = dir_ / "config.toml";
  std::ofstream(config) << "[kafka]\nbrokers = \"" << options_.kafka.brokers
                        << "\"\nlog_topic = \"pg-log\"\n[ship]\ncheckpoint = \""
                        << options_.ship.checkpoint_path << "\"\npoll_interval_ms = 20\n";
  const fs::path stderr_path = dir_ / "stderr";
  auto spawn = [&] {
    pid_t pid = ::fork();
    if (pid == 0) {
      int err = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      ::dup2(err, 2);
      ::execl(RLS_SHADOW_BINARY, "rls-shadow", "--config", config.c_str(), "ship", "--log",
              options_.log_path.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    return pid;
  };
  const fs::path a = dir_ / "log" / "postgresql-2026-11-22_100000.json";
  std::string all;
  std::mt19937 random(20261122);
  int next = 0;
  for (int round = 0; round < 10; ++round) {
    std::string text = Lines(next, 4000);
    next += 4000;
    Append(a, text);
    all += text;
    if (round == 5) {  // and a rotation among the kills
      const fs::path b = dir_ / "log" / "postgresql-2026-11-22_110000.json";
      text = Lines(next, 500);
      next += 500;
      Append(b, text);
      all += text;
    }
    pid_t pid = spawn();
    std::this_thread::sleep_for(std::chrono::milliseconds(50 + random() % 400));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
  }
  pid_t pid = spawn();
  const size_t want = static_cast<size_t>(std::count(all.begin(), all.end(), '\n'));
  std::vector<Message> got = WaitFor(want);
  std::this_thread::sleep_for(500ms);
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ExpectExactlyOnce(ConsumeAll(options_.kafka.brokers, "pg-log"), all);
}

// The window the kills above may or may not hit, made certain: lines delivered after the
// checkpoint ship resumes from. Ship must find them in the topic and not send them again.
TEST_F(ShipTest, LinesSentAfterTheCheckpointAreNotSentAgain) {
  const fs::path a = dir_ / "log" / "postgresql-2026-11-22_100000.json";
  std::string all = Lines(0, 300);
  Append(a, all);
  ASSERT_NO_FATAL_FAILURE(ShipUntilTopicHolds(300));
  const fs::path old_checkpoint = dir_ / "old-checkpoint";
  fs::copy_file(options_.ship.checkpoint_path, old_checkpoint);
  std::string more = Lines(300, 200);
  Append(a, more);
  all += more;
  ASSERT_NO_FATAL_FAILURE(ShipUntilTopicHolds(500));
  // As if ship had died after delivering the 200 lines but before recording them.
  fs::copy_file(old_checkpoint, options_.ship.checkpoint_path,
                fs::copy_options::overwrite_existing);
  Start();
  std::this_thread::sleep_for(1s);
  Stop();
  ASSERT_TRUE(status_.ok()) << status_.message();
  EXPECT_EQ(summary_.lines_already_sent, 200u);
  EXPECT_EQ(summary_.lines_produced, 0u);
  ExpectExactlyOnce(ConsumeAll(options_.kafka.brokers, "pg-log"), all);
}

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Feeds `text` on a pipe to RunShipChanges.
Status ShipChanges(ShipOptions options, const std::string& text, ShipSummary* summary) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  std::thread writer([&] {
    size_t done = 0;
    while (done < text.size()) {
      ssize_t n = ::write(fds[1], text.data() + done, text.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    ::close(fds[1]);
  });
  options.input_fd = fds[0];
  Status s = RunShipChanges(options, summary);
  writer.join();
  ::close(fds[0]);
  return s;
}

TEST_F(ShipTest, ChangesKeyedByXidRepeatsSkipped) {
  const std::string wal2json =
      ReadText(fs::path(RLS_SHADOW_TEST_DATA) / "cdc" / "wal2json.jsonl");
  ShipSummary summary;
  Status s = ShipChanges(options_, wal2json, &summary);
  ASSERT_TRUE(s.ok()) << s.message();
  std::vector<Message> got = ConsumeAll(options_.kafka.brokers, "pg-changes");
  ASSERT_EQ(got.size(), 36u);
  for (const auto& m : got) {
    size_t at = m.value.find("\"xid\":");
    if (m.value.find("\"transactional\":false") != std::string::npos) {
      EXPECT_EQ(m.key, "");
      continue;
    }
    ASSERT_NE(at, std::string::npos) << m.value;
    EXPECT_EQ(m.key, m.value.substr(at + 6, m.value.find(',', at) - (at + 6)));
    EXPECT_FALSE(m.position.empty());
  }
  std::vector<std::string> lines;
  for (size_t start = 0; start < wal2json.size(); start = wal2json.find('\n', start) + 1) {
    lines.push_back(wal2json.substr(start, wal2json.find('\n', start) - start));
  }
  ASSERT_EQ(lines.size(), got.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i].value, lines[i]);  // in order

  // pg_recvlogical restarted from an older confirmed LSN: the repeated lines are skipped, a new
  // transaction and a malformed line in it are shipped.
  const std::string fresh =
      "{\"action\":\"B\",\"xid\":9000,\"lsn\":\"F/10\"}\n"
      "{\"action\":\"I\",\"xid\":9000,\"lsn\":\"F/8\",\"schema\":\"public\",\"table\":\"t\","
      "\"columns\":[]}\n"
      "garbage {\n"
      "{\"action\":\"C\",\"xid\":9000,\"lsn\":\"F/10\"}\n";
  size_t tail = wal2json.size();
  for (int k = 0; k < 8; ++k) tail = wal2json.rfind('\n', tail - 2) + 1;
  s = ShipChanges(options_, wal2json.substr(tail) + fresh, &summary);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(summary.lines_already_sent, 8u);
  EXPECT_EQ(summary.lines_produced, 4u);
  got = ConsumeAll(options_.kafka.brokers, "pg-changes");
  ASSERT_EQ(got.size(), 40u);
  for (size_t i = 36; i < 40; ++i) EXPECT_EQ(got[i].key, "9000");
  EXPECT_EQ(got[38].value, "garbage {");

  // The whole stream again: nothing new.
  s = ShipChanges(options_, wal2json + fresh, &summary);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(summary.lines_produced, 0u);
  EXPECT_EQ(ConsumeAll(options_.kafka.brokers, "pg-changes").size(), 40u);
}

}  // namespace
}  // namespace rls_shadow::ship
