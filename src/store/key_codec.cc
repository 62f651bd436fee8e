#include "store/key_codec.h"

namespace rls_shadow::store {
namespace {

constexpr int64_t kMicrosPerHour = int64_t{3600} * 1000 * 1000;
constexpr char kEscape = '\x00';
constexpr char kEscapedNul = '\xff';
constexpr char kTerminator = '\x01';

// Enums are stored as one byte; these bounds reject bytes that no enumerator has, so a corrupt
// key is reported instead of becoming an out-of-range enum value.
constexpr uint8_t kMaxCommand = static_cast<uint8_t>(Command::kMerge);
constexpr uint8_t kMaxEffect = static_cast<uint8_t>(Effect::kIndeterminate);
constexpr uint8_t kMaxCause = static_cast<uint8_t>(Cause::kOwnerBypass);

template <typename Enum>
void AppendEnum(Enum e, std::string* out) {
  out->push_back(static_cast<char>(static_cast<uint8_t>(e)));
}

template <typename Enum>
bool ConsumeEnum(std::string_view* in, uint8_t max, Enum* out) {
  if (in->empty()) return false;
  const auto b = static_cast<uint8_t>((*in)[0]);
  if (b > max) return false;
  *out = static_cast<Enum>(b);
  in->remove_prefix(1);
  return true;
}

bool ConsumePrefix(std::string_view* in, std::string_view prefix) {
  if (!in->starts_with(prefix)) return false;
  in->remove_prefix(prefix.size());
  return true;
}

}  // namespace

int64_t HourOf(int64_t time_us) {
  // Floor division: C++ '/' truncates toward zero, which would put -1us into hour 0.
  int64_t q = time_us / kMicrosPerHour;
  if (time_us % kMicrosPerHour < 0) --q;
  return q;
}

void AppendHour(int64_t hour, std::string* out) {
  const uint64_t u = HourWord(hour);
  for (int shift = 56; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((u >> shift) & 0xff));
  }
}

bool ConsumeHour(std::string_view* in, int64_t* hour) {
  if (in->size() < 8) return false;
  uint64_t u = 0;
  for (int i = 0; i < 8; ++i) u = (u << 8) | static_cast<uint8_t>((*in)[i]);
  *hour = static_cast<int64_t>(u ^ (uint64_t{1} << 63));
  in->remove_prefix(8);
  return true;
}

void AppendString(std::string_view s, std::string* out) {
  // In runs between NULs (a text has none, almost always): a byte at a time cost a capacity
  // check per byte, for every key of every commit.
  size_t start = 0;
  for (size_t nul = s.find(kEscape); nul != std::string_view::npos; nul = s.find(kEscape, start)) {
    out->append(s.data() + start, nul + 1 - start);
    out->push_back(kEscapedNul);
    start = nul + 1;
  }
  out->append(s.data() + start, s.size() - start);
  out->push_back(kEscape);
  out->push_back(kTerminator);
}

bool ConsumeString(std::string_view* in, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in->size(); ++i) {
    const char c = (*in)[i];
    if (c != kEscape) {
      out->push_back(c);
      continue;
    }
    if (i + 1 >= in->size()) return false;
    const char next = (*in)[i + 1];
    if (next == kTerminator) {
      in->remove_prefix(i + 2);
      return true;
    }
    if (next != kEscapedNul) return false;
    out->push_back('\0');
    ++i;
  }
  return false;  // no terminator
}

std::string HourBound(std::string_view prefix, int64_t hour) {
  std::string out(prefix);
  AppendHour(hour, &out);
  return out;
}

std::string EncodeDenialKey(const DenialKey& key, int64_t hour) {
  return EncodeDenialKey(DenialKeyView{key.table, key.command, key.policy, key.tenant,
                                       key.code_path, key.lane, key.effect, key.cause},
                         hour);
}

std::string EncodeDenialKey(const DenialKeyView& key, int64_t hour) {
  std::string out(kDenialPrefix);
  out.reserve(out.size() + 8 + key.table.size() + key.policy.size() + key.tenant.size() +
              key.code_path.size() + key.lane.size() + 13);
  AppendHour(hour, &out);
  AppendString(key.table, &out);
  AppendEnum(key.command, &out);
  AppendString(key.policy, &out);
  AppendString(key.tenant, &out);
  AppendString(key.code_path, &out);
  AppendString(key.lane, &out);
  AppendEnum(key.effect, &out);
  AppendEnum(key.cause, &out);
  return out;
}

bool DecodeDenialKey(std::string_view in, DenialKey* key, int64_t* hour) {
  return ConsumePrefix(&in, kDenialPrefix) && ConsumeHour(&in, hour) &&
         ConsumeString(&in, &key->table) && ConsumeEnum(&in, kMaxCommand, &key->command) &&
         ConsumeString(&in, &key->policy) && ConsumeString(&in, &key->tenant) &&
         ConsumeString(&in, &key->code_path) && ConsumeString(&in, &key->lane) &&
         ConsumeEnum(&in, kMaxEffect, &key->effect) && ConsumeEnum(&in, kMaxCause, &key->cause) &&
         in.empty();
}

std::string EncodeAccessKey(const AccessKey& key, int64_t hour) {
  return EncodeAccessKey(AccessKeyView{key.table, key.code_path, key.lane, key.effect}, hour);
}

std::string EncodeAccessKey(const AccessKeyView& key, int64_t hour) {
  std::string out(kAccessPrefix);
  out.reserve(out.size() + 8 + key.table.size() + key.code_path.size() + key.lane.size() + 7);
  AppendHour(hour, &out);
  AppendString(key.table, &out);
  AppendString(key.code_path, &out);
  AppendString(key.lane, &out);
  AppendEnum(key.effect, &out);
  return out;
}

bool DecodeAccessKey(std::string_view in, AccessKey* key, int64_t* hour) {
  return ConsumePrefix(&in, kAccessPrefix) && ConsumeHour(&in, hour) &&
         ConsumeString(&in, &key->table) && ConsumeString(&in, &key->code_path) &&
         ConsumeString(&in, &key->lane) && ConsumeEnum(&in, kMaxEffect, &key->effect) && in.empty();
}

std::string EncodeNamedKey(std::string_view prefix, std::string_view name) {
  std::string out(prefix);
  AppendString(name, &out);
  return out;
}

bool DecodeNamedKey(std::string_view prefix, std::string_view in, std::string* name) {
  return ConsumePrefix(&in, prefix) && ConsumeString(&in, name) && in.empty();
}

std::string EncodeRowKey(std::string_view table, std::string_view key) {
  std::string out = RowTablePrefix(table);
  AppendString(key, &out);
  return out;
}

std::string RowTablePrefix(std::string_view table) { return EncodeNamedKey(kRowPrefix, table); }

bool DecodeRowKey(std::string_view in, std::string* table, std::string* key) {
  return ConsumePrefix(&in, kRowPrefix) && ConsumeString(&in, table) && ConsumeString(&in, key) &&
         in.empty();
}

}  // namespace rls_shadow::store
