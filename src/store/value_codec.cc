#include "store/value_codec.h"

#include <cstdint>

namespace rls_shadow::store {
namespace {

constexpr char kFormatV1 = '\x01';

void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

bool GetVarint(std::string_view* in, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift <= 63 && !in->empty(); shift += 7) {
    const auto byte = static_cast<uint8_t>((*in)[0]);
    in->remove_prefix(1);
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return false;
}

void PutFixed64(int64_t v, std::string* out) {
  const auto u = static_cast<uint64_t>(v);
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((u >> (8 * i)) & 0xff));
}

bool GetFixed64(std::string_view* in, int64_t* v) {
  if (in->size() < 8) return false;
  uint64_t u = 0;
  for (int i = 7; i >= 0; --i) u = (u << 8) | static_cast<uint8_t>((*in)[i]);
  *v = static_cast<int64_t>(u);
  in->remove_prefix(8);
  return true;
}

void PutString(std::string_view s, std::string* out) {
  PutVarint(s.size(), out);
  out->append(s);
}

bool GetString(std::string_view* in, std::string* out) {
  uint64_t n = 0;
  if (!GetVarint(in, &n) || n > in->size()) return false;
  out->assign(in->substr(0, n));
  in->remove_prefix(n);
  return true;
}

bool GetVersion(std::string_view* in) {
  if (in->empty() || (*in)[0] != kFormatV1) return false;
  in->remove_prefix(1);
  return true;
}

void PutCounter(const CounterValue& v, std::string* out) {
  PutVarint(v.count, out);
  PutFixed64(v.first_seen_us, out);
  PutFixed64(v.last_seen_us, out);
}

bool GetCounter(std::string_view* in, CounterValue* v) {
  return GetVarint(in, &v->count) && GetFixed64(in, &v->first_seen_us) &&
         GetFixed64(in, &v->last_seen_us);
}

// Reads a count of following elements, rejecting counts the remaining bytes cannot hold (each
// element takes at least one byte), so a corrupt count cannot make us reserve gigabytes.
bool GetElementCount(std::string_view* in, uint64_t* n) {
  return GetVarint(in, n) && *n <= in->size();
}

}  // namespace

std::string EncodeDenialValue(const DenialValue& v) {
  std::string out(1, kFormatV1);
  PutCounter(v.counter, &out);
  PutVarint(v.examples.size(), &out);
  for (const auto& e : v.examples) PutString(e, &out);
  return out;
}

bool DecodeDenialValue(std::string_view in, DenialValue* v) {
  uint64_t n = 0;
  if (!GetVersion(&in) || !GetCounter(&in, &v->counter) || !GetElementCount(&in, &n)) {
    return false;
  }
  v->examples.assign(n, std::string());
  for (auto& e : v->examples) {
    if (!GetString(&in, &e)) return false;
  }
  return in.empty();
}

std::string EncodeCounter(const CounterValue& v) {
  std::string out(1, kFormatV1);
  PutCounter(v, &out);
  return out;
}

bool DecodeCounter(std::string_view in, CounterValue* v) {
  return GetVersion(&in) && GetCounter(&in, v) && in.empty();
}

std::string EncodeTableMeta(const TableMeta& meta) {
  std::string out(1, kFormatV1);
  PutString(meta.owner, &out);
  out.push_back(meta.rls_enabled ? '\x01' : '\x00');
  out.push_back(meta.rls_forced ? '\x01' : '\x00');
  PutVarint(meta.policies.size(), &out);
  for (const auto& p : meta.policies) PutString(p, &out);
  return out;
}

bool DecodeTableMeta(std::string_view in, TableMeta* meta) {
  if (!GetVersion(&in) || !GetString(&in, &meta->owner) || in.size() < 2) return false;
  meta->rls_enabled = in[0] != '\x00';
  meta->rls_forced = in[1] != '\x00';
  in.remove_prefix(2);
  uint64_t n = 0;
  if (!GetElementCount(&in, &n)) return false;
  meta->policies.assign(n, std::string());
  for (auto& p : meta->policies) {
    if (!GetString(&in, &p)) return false;
  }
  return in.empty();
}

std::string EncodeCheckpoint(const SourceCheckpoint& cp) {
  std::string out(1, kFormatV1);
  PutVarint(cp.offset, &out);
  PutVarint(cp.line, &out);
  PutString(cp.fingerprint, &out);
  return out;
}

bool DecodeCheckpoint(std::string_view in, SourceCheckpoint* cp) {
  return GetVersion(&in) && GetVarint(&in, &cp->offset) && GetVarint(&in, &cp->line) &&
         GetString(&in, &cp->fingerprint) && in.empty();
}

std::string EncodeInputStats(const InputStats& s) {
  std::string out(1, kFormatV1);
  PutVarint(s.lines_read, &out);
  PutVarint(s.events_analyzed, &out);
  PutVarint(s.lines_rejected, &out);
  PutVarint(s.statements_unparsed, &out);
  PutVarint(s.rejected_by_reason.size(), &out);
  for (const auto& [reason, count] : s.rejected_by_reason) {
    PutString(reason, &out);
    PutVarint(count, &out);
  }
  return out;
}

bool DecodeInputStats(std::string_view in, InputStats* s) {
  uint64_t n = 0;
  if (!GetVersion(&in) || !GetVarint(&in, &s->lines_read) || !GetVarint(&in, &s->events_analyzed) ||
      !GetVarint(&in, &s->lines_rejected) || !GetVarint(&in, &s->statements_unparsed) ||
      !GetElementCount(&in, &n)) {
    return false;
  }
  s->rejected_by_reason.clear();
  for (uint64_t i = 0; i < n; ++i) {
    std::string reason;
    uint64_t count = 0;
    if (!GetString(&in, &reason) || !GetVarint(&in, &count)) return false;
    s->rejected_by_reason[reason] += count;
  }
  return in.empty();
}

}  // namespace rls_shadow::store
