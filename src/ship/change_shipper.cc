// `ship --cdc -`: wal2json format-version 2 lines (pg_recvlogical -o format-version=2
// -o include-xids=1 -o include-lsn=1 ... -f -) into the change topic.
//
// Keys: the transaction id ("xid", as wal2json prints it), so every line of a transaction — its
// B, its changes, its C — shares a key and a partition, in order. A non-transactional message
// (action M, "transactional": false, no xid) and a line that is not JSON outside a transaction
// are keyed by the empty string; a line that is not JSON inside a transaction keeps the
// transaction's key. Malformed lines are still produced (the consumer dead-letters them), counted
// and the first ones logged.
//
// Repeats. After a restart pg_recvlogical resumes from the slot's confirmed LSN and may send
// again transactions that were already shipped. wal2json's B and C lines carry the
// transaction's commit LSN and its changes their own (smaller) LSNs, so a line's position is
// (commit LSN of its transaction, its ordinal in the transaction: B is 0), and for a line outside
// a transaction (its own LSN, 0). Positions grow in the order logical decoding emits
// (transactions in commit order). Each message carries its position in a header; on start the
// newest position among the topic's last 1000 messages is the last one shipped, and a line
// whose position is not newer is skipped. Without include-lsn there are no positions: every
// line is shipped (warned).
#include <fmt/format.h>
#include <poll.h>
#include <simdjson.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ship/ship.h"
#include "ship/ship_producer.h"

namespace rls_shadow::ship {
namespace {

using Position = std::pair<uint64_t, uint64_t>;  // (LSN, ordinal)

constexpr size_t kChunk = 1 << 20;
constexpr int64_t kTail = 1000;  // messages read back on start

// "16/B374D848" -> the LSN, as PostgreSQL prints pg_lsn.
std::optional<uint64_t> ParseLsn(std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  uint32_t hi = 0, lo = 0;
  auto a = std::from_chars(text.data(), text.data() + slash, hi, 16);
  auto b = std::from_chars(text.data() + slash + 1, text.data() + text.size(), lo, 16);
  if (a.ec != std::errc() || a.ptr != text.data() + slash || b.ec != std::errc() ||
      b.ptr != text.data() + text.size()) {
    return std::nullopt;
  }
  return (uint64_t{hi} << 32) | lo;
}

// The position header: "<LSN as X/X>:<ordinal>".
std::string FormatPosition(const Position& p) {
  return fmt::format("{:X}/{:X}:{}", p.first >> 32, p.first & 0xffffffffu, p.second);
}

std::optional<Position> ParsePosition(std::string_view text) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto lsn = ParseLsn(text.substr(0, colon));
  uint64_t ordinal = 0;
  auto r = std::from_chars(text.data() + colon + 1, text.data() + text.size(), ordinal);
  if (!lsn || r.ec != std::errc() || r.ptr != text.data() + text.size()) return std::nullopt;
  return Position{*lsn, ordinal};
}

// What a wal2json line says about its place in the stream.
struct LineFacts {
  bool json = false;
  char action = 0;
  std::string xid;  // empty: none (null, absent)
  std::optional<uint64_t> lsn;
};

class ChangeShipper {
 public:
  ChangeShipper(const ShipOptions& options, ShipSummary* summary)
      : options_(options), summary_(summary), buf_(kChunk + simdjson::SIMDJSON_PADDING) {}

  Status Run() {
    if (options_.kafka.change_topic.empty()) {
      return Status::Error("ship --cdc: kafka.change_topic is not set in the config");
    }
    if (Status s = producer_.Open(options_.kafka, options_.kafka.change_topic); !s.ok()) return s;
    // The newest position among the last messages (not only the last one: a malformed line
    // outside a transaction carries none).
    Status s = producer_.ReadTail(kTail, [&](const rd_kafka_message_t& m) {
      auto p = ParsePosition(HeaderValue(m, kPositionHeader));
      if (p && (!last_ || *p > *last_)) last_ = p;
    });
    if (!s.ok()) return s;
    if (last_) spdlog::info("ship --cdc: the topic ends at position {}", FormatPosition(*last_));

    size_t held = 0;
    for (;;) {
      if (options_.stop->load()) break;
      pollfd pfd{options_.input_fd, POLLIN, 0};
      int ready = ::poll(&pfd, 1, 100);
      producer_.Poll();
      if (ready < 0 && errno != EINTR) {
        return Status::Error(fmt::format("ship --cdc: poll: {}", std::strerror(errno)));
      }
      if (ready <= 0) continue;
      if (held + kChunk + simdjson::SIMDJSON_PADDING > buf_.size()) {
        buf_.resize(held + kChunk + simdjson::SIMDJSON_PADDING);
      }
      ssize_t n = ::read(options_.input_fd, buf_.data() + held, kChunk);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Status::Error(fmt::format("ship --cdc: read: {}", std::strerror(errno)));
      if (n == 0) {
        if (held > 0) spdlog::warn("ship --cdc: the input ended inside a line: {} bytes dropped", held);
        break;
      }
      const size_t end = held + static_cast<size_t>(n);
      size_t start = 0;
      for (;;) {
        const char* nl = static_cast<const char*>(std::memchr(buf_.data() + start, '\n', end - start));
        if (nl == nullptr) break;
        const size_t line_end = static_cast<size_t>(nl - buf_.data());
        if (Status st = ShipLine(start, line_end); !st.ok()) return st;
        start = line_end + 1;
      }
      held = end - start;
      if (held > 0) std::memmove(buf_.data(), buf_.data() + start, held);
    }
    Status flushed = producer_.Flush();
    summary_->lines_produced = producer_.produced();
    summary_->lines_oversized = producer_.oversized();
    return flushed;
  }

 private:
  LineFacts Read(std::string_view line, size_t capacity) {
    LineFacts facts;
    simdjson::ondemand::document doc;
    simdjson::ondemand::object obj;
    if (parser_.iterate(line.data(), line.size(), capacity).get(doc) != simdjson::SUCCESS ||
        doc.get_object().get(obj) != simdjson::SUCCESS) {
      return facts;
    }
    facts.json = true;
    for (auto field : obj) {
      std::string_view key;
      if (field.unescaped_key().get(key) != simdjson::SUCCESS) return LineFacts{};
      simdjson::ondemand::value v = field.value();
      if (key == "action") {
        std::string_view a;
        if (v.get_string().get(a) == simdjson::SUCCESS && a.size() == 1) facts.action = a[0];
      } else if (key == "xid") {
        uint64_t xid = 0;
        if (v.get_uint64().get(xid) == simdjson::SUCCESS) facts.xid = std::to_string(xid);
      } else if (key == "lsn") {
        std::string_view text;
        if (v.get_string().get(text) == simdjson::SUCCESS) facts.lsn = ParseLsn(text);
      }
    }
    return facts;
  }

  Status ShipLine(size_t begin, size_t end) {
    ++summary_->lines_read;
    std::string_view line(buf_.data() + begin, end - begin);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) return Status::Ok();
    LineFacts facts = Read(line, buf_.size() - begin);
    if (!facts.json || facts.action == 0) {
      if (++malformed_ <= 10) {
        spdlog::warn("ship --cdc: line {} is not a wal2json record: shipped for the consumer to "
                     "dead-letter",
                     summary_->lines_read);
      }
    }
    std::optional<Position> position;
    std::string key;
    if (facts.action == 'B') {
      txn_ = true;
      txn_xid_ = facts.xid;
      txn_lsn_ = facts.lsn;
      ordinal_ = 0;
    } else if (txn_) {
      ++ordinal_;
    }
    if (txn_) {
      key = txn_xid_;
      if (txn_lsn_) position = Position{*txn_lsn_, ordinal_};
      if (facts.action == 'C') txn_ = false;
    } else {
      key = facts.xid;
      if (facts.lsn) position = Position{*facts.lsn, 0};
    }
    if (key.empty()) ++summary_->lines_without_key;
    if (!position && facts.json && !warned_no_lsn_) {
      warned_no_lsn_ = true;
      spdlog::warn("ship --cdc: records without \"lsn\": run pg_recvlogical with -o include-lsn=1, "
                   "or a restart ships repeated changes again");
    }
    if (position && last_ && *position <= *last_) {
      ++summary_->lines_already_sent;
      return Status::Ok();
    }
    std::string position_text;
    Headers headers;
    if (position) {
      last_ = position;
      position_text = FormatPosition(*position);
      headers.emplace_back(kPositionHeader, position_text);
    }
    return producer_.Produce(key, line, headers);
  }

  const ShipOptions& options_;
  ShipSummary* summary_;
  ShipProducer producer_;
  std::vector<char> buf_;
  simdjson::ondemand::parser parser_;
  std::optional<Position> last_;  // the newest position in the topic
  bool txn_ = false;              // between a B and its C
  std::string txn_xid_;
  std::optional<uint64_t> txn_lsn_;
  uint64_t ordinal_ = 0;
  uint64_t malformed_ = 0;
  bool warned_no_lsn_ = false;
};

}  // namespace

Status RunShipChanges(const ShipOptions& options, ShipSummary* summary) {
  *summary = ShipSummary{};
  ChangeShipper shipper(options, summary);
  return shipper.Run();
}

}  // namespace rls_shadow::ship
