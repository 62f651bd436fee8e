#include "analyze/attribution.h"

#include <string.h>  // memrchr

#include <algorithm>

#include "common/hex_digit.h"
#include "common/text_hash.h"
#include "common/text_trim.h"

namespace rls_shadow {
namespace {

std::string UrlDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexDigitValue(s[i + 1]) >= 0 &&
        HexDigitValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexDigitValue(s[i + 1]) * 16 + HexDigitValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// The value `index` and `values` keep for `key` (`values` by the number `index` gives), worked
// out by `make` and kept when there is none. Past 100,000 keys both are emptied and values are
// worked out again.
template <class Value, class Make>
const Value& Cached(common::FlatTextMap* index, std::vector<Value>* values, std::string_view key,
                    Make make) {
  const uint64_t hash = common::HashText(key);
  uint32_t n = index->Find(key, hash);
  if (n == common::FlatTextMap::kNone) {
    Value value = make();  // first: should it throw, neither table has changed
    if (index->size() > 100000) {
      index->Clear();
      values->clear();
    }
    n = static_cast<uint32_t>(values->size());
    values->push_back(std::move(value));
    index->Insert(key, hash, n);
  }
  return (*values)[n];
}

std::string_view Lookup(const std::vector<std::pair<std::string, std::string>>& tags,
                        std::string_view key) {
  for (const auto& [k, v] : tags) {
    if (k == key) return v;
  }
  return {};
}

// The position of the last "*/" in `s`, or npos. string_view::rfind compares at every position
// going back; most statements end with their comment or have none, so jump from '/' to '/'.
size_t FindLastCommentEnd(std::string_view s) {
  size_t end = s.size();
  while (end > 1) {
    const void* slash = memrchr(s.data() + 1, '/', end - 1);
    if (slash == nullptr) return std::string_view::npos;
    const size_t i = static_cast<size_t>(static_cast<const char*>(slash) - s.data());
    if (s[i - 1] == '*') return i - 1;
    end = i;
  }
  return std::string_view::npos;
}

// s.rfind("/*", before): the last "/*" starting at or before `before`, jumping from '/' to '/'
// as above (the comment's body lies between it and `before`).
size_t FindCommentStart(std::string_view s, size_t before) {
  if (s.size() < 2) return std::string_view::npos;
  size_t end = std::min(before, s.size() - 2) + 1;  // where a "/*" may start: [0, end)
  while (end > 0) {
    const void* slash = memrchr(s.data(), '/', end);
    if (slash == nullptr) return std::string_view::npos;
    const size_t i = static_cast<size_t>(static_cast<const char*>(slash) - s.data());
    if (s[i + 1] == '*') return i;
    end = i;
  }
  return std::string_view::npos;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> ParseSqlComment(std::string_view sql) {
  std::vector<std::pair<std::string, std::string>> out;
  std::string_view s = common::TrimStatementEnds(sql);
  if (s.size() < 4 || s.substr(s.size() - 2) != "*/") return out;
  size_t open = s.rfind("/*");
  if (open == std::string_view::npos) return out;
  std::string_view body = common::TrimAsciiSpace(s.substr(open + 2, s.size() - open - 4));
  if (body.empty()) return out;

  // sqlcommenter: key='value',key2='value2' with url-encoded keys and values.
  size_t i = 0;
  bool sqlcommenter = body.find('=') != std::string_view::npos;
  while (sqlcommenter && i < body.size()) {
    size_t eq = body.find('=', i);
    if (eq == std::string_view::npos || eq + 1 >= body.size() || body[eq + 1] != '\'') break;
    std::string key = UrlDecode(common::TrimAsciiSpace(body.substr(i, eq - i)));
    size_t j = eq + 2;
    std::string value;
    while (j < body.size() && body[j] != '\'') {
      if (body[j] == '\\' && j + 1 < body.size()) ++j;  // meta-escaped quote
      value += body[j++];
    }
    out.emplace_back(std::move(key), UrlDecode(value));
    i = j + 1;
    while (i < body.size() && (body[i] == ',' || common::IsAsciiSpace(body[i]))) {
      ++i;
    }
  }
  if (!out.empty()) return out;

  // Rails' legacy marginalia form: application:App,controller:orders,action:index.
  size_t start = 0;
  while (start <= body.size()) {
    size_t comma = body.find(',', start);
    std::string_view part =
        body.substr(start, comma == std::string_view::npos ? body.size() - start : comma - start);
    size_t colon = part.find(':');
    if (colon != std::string_view::npos) {
      out.emplace_back(std::string(common::TrimAsciiSpace(part.substr(0, colon))),
                       std::string(common::TrimAsciiSpace(part.substr(colon + 1))));
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

Attributor::Attributor(const AttributionConfig& config) : config_(config) {
  for (const auto& [pattern, lane] : config.application_name_lanes) {
    app_lanes_.emplace_back(std::regex(pattern, std::regex::ECMAScript), lane);
  }
}

const std::string& Attributor::LaneForApplication(const std::string& application_name) {
  return Cached(&app_lane_cache_, &app_lanes_found_, application_name, [&] {
    for (const auto& [re, lane] : app_lanes_) {
      if (std::regex_search(application_name, re)) return lane;
    }
    return std::string();
  });
}

Attributor::CommentAttribution Attributor::FromTags(
    const std::vector<std::pair<std::string, std::string>>& tags) const {
  CommentAttribution a;
  for (const std::string& key : config_.code_path_keys) {
    if (auto plus = key.find('+'); plus != std::string::npos) {
      const std::string_view both(key);
      std::string_view controller = Lookup(tags, both.substr(0, plus));
      std::string_view action = Lookup(tags, both.substr(plus + 1));
      if (!controller.empty()) {
        a.code_path.assign(controller);
        if (!action.empty()) a.code_path.append("#").append(action);
        break;
      }
    } else if (std::string_view v = Lookup(tags, key); !v.empty()) {
      a.code_path.assign(v);
      break;
    }
  }
  for (const std::string& key : config_.lane_keys) {
    if (std::string_view v = Lookup(tags, key); !v.empty()) {
      a.lane.assign(v);
      break;
    }
  }
  return a;
}

Attribution Attributor::Attribute(std::string_view sql, const std::string& application_name,
                                  std::string_view lane_setting_value) {
  Attribution a;
  if (size_t close = FindLastCommentEnd(sql); close != std::string_view::npos) {
    size_t open = FindCommentStart(sql, close);
    if (open != std::string_view::npos) {
      std::string_view comment = sql.substr(open);
      const CommentAttribution& tagged = Cached(&comments_, &attributions_, comment,
                                                [&] { return FromTags(ParseSqlComment(sql)); });
      a.code_path = tagged.code_path;
      a.lane = tagged.lane;
    }
  }
  a.code_path_from_comment = !a.code_path.empty();
  if (a.code_path.empty()) {
    code_path_from_application_.assign(application_name);
    a.code_path = code_path_from_application_;
  }
  if (a.lane.empty() && !lane_setting_value.empty()) {
    // The session's value may change while the statement runs (SET app.lane = ...): a copy.
    lane_from_setting_.assign(lane_setting_value);
    a.lane = lane_from_setting_;
  }
  if (a.lane.empty()) a.lane = LaneForApplication(application_name);
  return a;
}

}  // namespace rls_shadow
