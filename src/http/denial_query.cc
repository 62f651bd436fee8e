#include "http/denial_query.h"

#include <algorithm>

#include "report/iso_time.h"

namespace rls_shadow::http {
namespace {

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string Base64Url(std::string_view in) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kB64[(acc >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(kB64[(acc << (6 - bits)) & 63]);
  return out;
}

bool FromBase64Url(std::string_view in, std::string* out) {
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    const char* p = std::find(kB64, kB64 + 64, c);
    if (p == kB64 + 64) return false;
    acc = (acc << 6) | static_cast<uint32_t>(p - kB64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return true;
}

// Fields: length (4 bytes, big-endian) + bytes each; enums one byte.
void PutField(std::string_view s, std::string* out) {
  const auto n = static_cast<uint32_t>(s.size());
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(n >> shift));
  out->append(s);
}

bool GetField(std::string_view* in, std::string* out) {
  if (in->size() < 4) return false;
  uint32_t n = 0;
  for (int i = 0; i < 4; ++i) n = (n << 8) | static_cast<unsigned char>((*in)[i]);
  in->remove_prefix(4);
  if (in->size() < n) return false;
  out->assign(in->substr(0, n));
  in->remove_prefix(n);
  return true;
}

constexpr char kCursorVersion = 'k';

}  // namespace

std::string EncodeCursor(const DenialKey& k) {
  std::string raw(1, kCursorVersion);
  for (const std::string* s : {&k.table, &k.policy, &k.tenant, &k.code_path, &k.lane}) {
    PutField(*s, &raw);
  }
  raw.push_back(static_cast<char>(k.command));
  raw.push_back(static_cast<char>(k.effect));
  raw.push_back(static_cast<char>(k.cause));
  return Base64Url(raw);
}

bool DecodeCursor(std::string_view cursor, DenialKey* k) {
  std::string raw;
  if (cursor.empty() || !FromBase64Url(cursor, &raw)) return false;
  std::string_view in = raw;
  if (in.empty() || in[0] != kCursorVersion) return false;
  in.remove_prefix(1);
  for (std::string* s : {&k->table, &k->policy, &k->tenant, &k->code_path, &k->lane}) {
    if (!GetField(&in, s)) return false;
  }
  if (in.size() != 3) return false;
  // Validate the enums by their names, so a forged cursor cannot make out-of-range values.
  const auto command = static_cast<Command>(in[0]);
  const auto effect = static_cast<Effect>(in[1]);
  const auto cause = static_cast<Cause>(in[2]);
  Command c2;
  Effect e2;
  Cause k2;
  if (!ParseCommand(CommandName(command), &c2) || c2 != command ||
      !ParseEffect(EffectName(effect), &e2) || e2 != effect ||
      (cause != Cause::kNone && (!ParseCause(CauseName(cause), &k2) || k2 != cause))) {
    return false;
  }
  k->command = command;
  k->effect = effect;
  k->cause = cause;
  return true;
}

Status ParseDenialQuery(const std::map<std::string, std::string>& params, DenialQuery* out) {
  *out = DenialQuery{};
  for (const auto& [name, value] : params) {
    auto bad = [&](const std::string& why) {
      return Status::Error("parameter '" + name + "': " + why);
    };
    if (name == "table") {
      out->table = value;
    } else if (name == "tenant") {
      out->tenant = value;
    } else if (name == "code_path") {
      out->code_path = value;
    } else if (name == "lane") {
      out->lane = value;
    } else if (name == "effect") {
      Effect e;
      if (!ParseEffect(value, &e) || e == Effect::kAllow) {
        return bad("expected one of error, filtered, row_dependent, indeterminate");
      }
      out->effect = e;
    } else if (name == "cause") {
      Cause c;
      if (!ParseCause(value, &c) || c == Cause::kNone) return bad("unknown cause");
      out->cause = c;
    } else if (name == "since" || name == "until") {
      auto t = ParseIsoUtc(value);
      if (!t) return bad("expected an ISO-8601 UTC time like 2026-11-22T08:00:00Z");
      (name == "since" ? out->since_us : out->until_us) = *t;
    } else if (name == "limit") {
      size_t n = 0;
      bool ok = !value.empty() && value.size() <= 9;
      for (char c : value) {
        ok = ok && c >= '0' && c <= '9';
        if (ok) n = n * 10 + static_cast<size_t>(c - '0');
      }
      if (!ok || n < 1 || n > kMaxDenialLimit) {
        return bad("expected an integer from 1 to " + std::to_string(kMaxDenialLimit));
      }
      out->limit = n;
    } else if (name == "cursor") {
      DenialKey k;
      if (!DecodeCursor(value, &k)) return bad("not a cursor returned by this API");
      out->after = std::move(k);
    } else {
      return Status::Error("unknown parameter '" + name + "'");
    }
  }
  if (out->since_us && out->until_us && *out->since_us >= *out->until_us) {
    return Status::Error("parameter 'since' must be before 'until'");
  }
  return Status::Ok();
}

DenialPage SelectDenials(const std::vector<const DenialEntry*>& sorted, const DenialQuery& q) {
  auto less = [](const DenialEntry* e, const DenialKey& k) { return e->key < k; };
  auto begin = sorted.begin(), end = sorted.end();
  if (q.table) {  // keys sort by table first: the table's rows are one range
    DenialKey lo;
    lo.table = *q.table;
    begin = std::lower_bound(begin, end, lo, less);
    end = std::partition_point(begin, end,
                               [&](const DenialEntry* e) { return e->key.table == *q.table; });
  }
  if (q.after) {
    begin = std::upper_bound(begin, end, *q.after, [](const DenialKey& k, const DenialEntry* e) {
      return k < e->key;
    });
  }
  DenialPage page;
  for (auto it = begin; it != end; ++it) {
    const DenialKey& k = (*it)->key;
    if ((q.tenant && k.tenant != *q.tenant) || (q.code_path && k.code_path != *q.code_path) ||
        (q.lane && k.lane != *q.lane) || (q.effect && k.effect != *q.effect) ||
        (q.cause && k.cause != *q.cause)) {
      continue;
    }
    if (page.rows.size() == q.limit) {
      page.next_cursor = EncodeCursor(page.rows.back()->key);
      break;
    }
    page.rows.push_back(*it);
  }
  return page;
}

}  // namespace rls_shadow::http
