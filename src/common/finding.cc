#include "rls_shadow/finding.h"

#include <array>
#include <utility>

namespace rls_shadow {
namespace {

constexpr std::array<std::pair<Effect, std::string_view>, 5> kEffects{{
    {Effect::kAllow, "allow"},
    {Effect::kError, "error"},
    {Effect::kFiltered, "filtered"},
    {Effect::kRowDependent, "row_dependent"},
    {Effect::kIndeterminate, "indeterminate"},
}};

constexpr std::array<std::pair<Cause, std::string_view>, 13> kCauses{{
    {Cause::kNone, ""},
    {Cause::kMissingContext, "missing_context"},
    {Cause::kEmptyContext, "empty_context"},
    {Cause::kInvalidContext, "invalid_context"},
    {Cause::kStaleContext, "stale_context"},
    {Cause::kWrongTenant, "wrong_tenant"},
    {Cause::kNoPermissivePolicy, "no_permissive_policy"},
    {Cause::kOwnerBypassLost, "owner_bypass_lost"},
    {Cause::kContextLostAutocommit, "context_lost_autocommit"},
    {Cause::kRowSecurityOff, "row_security_off"},
    {Cause::kCopyFromRls, "copy_from_rls"},
    {Cause::kUnsupported, "unsupported"},
    {Cause::kOwnerBypass, "owner_bypass"},
}};

constexpr std::array<std::pair<Command, std::string_view>, 8> kCommands{{
    {Command::kSelect, "select"},
    {Command::kInsert, "insert"},
    {Command::kUpdate, "update"},
    {Command::kDelete, "delete"},
    {Command::kCopyTo, "copy_to"},
    {Command::kCopyFrom, "copy_from"},
    {Command::kTruncate, "truncate"},
    {Command::kMerge, "merge"},
}};

template <typename Enum, size_t N>
std::string_view NameOf(const std::array<std::pair<Enum, std::string_view>, N>& table, Enum e) {
  for (const auto& [value, name] : table) {
    if (value == e) return name;
  }
  return "unknown";
}

template <typename Enum, size_t N>
bool ValueOf(const std::array<std::pair<Enum, std::string_view>, N>& table, std::string_view name,
             Enum* out) {
  for (const auto& [value, n] : table) {
    if (n == name) {
      *out = value;
      return true;
    }
  }
  return false;
}

}  // namespace

std::string_view EffectName(Effect e) { return NameOf(kEffects, e); }
std::string_view CauseName(Cause c) { return NameOf(kCauses, c); }
std::string_view CommandName(Command c) { return NameOf(kCommands, c); }
bool ParseEffect(std::string_view name, Effect* out) { return ValueOf(kEffects, name, out); }
bool ParseCause(std::string_view name, Cause* out) { return ValueOf(kCauses, name, out); }
bool ParseCommand(std::string_view name, Command* out) { return ValueOf(kCommands, name, out); }

}  // namespace rls_shadow
