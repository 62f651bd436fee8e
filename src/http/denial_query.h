// /api/v1/denials: its parameters (filters, limit, cursor), validated, and the page they select.
// Denials are listed in DenialKey order and the cursor is the last key returned, so paging is
// keyset pagination: a page never repeats a row and never skips one that exists on both
// requests, even when counts change between them. The cursor is opaque to clients
// (base64url); only this file knows what is in it.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rls_shadow/report.h"
#include "rls_shadow/status.h"

namespace rls_shadow::http {

struct DenialQuery {
  std::optional<std::string> table, tenant, code_path, lane;
  std::optional<Effect> effect;
  std::optional<Cause> cause;
  std::optional<int64_t> since_us, until_us;  // the window; default: the readiness window
  size_t limit = 100;
  std::optional<DenialKey> after;  // from the cursor
};

inline constexpr size_t kMaxDenialLimit = 1000;

// Reads `params` (every one must be known). Errors name the bad parameter.
Status ParseDenialQuery(const std::map<std::string, std::string>& params, DenialQuery* out);

std::string EncodeCursor(const DenialKey& key);
bool DecodeCursor(std::string_view cursor, DenialKey* key);

struct DenialPage {
  std::vector<const DenialEntry*> rows;
  std::optional<std::string> next_cursor;  // set when more rows match
};

// `sorted` is every denial of the window in DenialKey order.
DenialPage SelectDenials(const std::vector<const DenialEntry*>& sorted, const DenialQuery& q);

}  // namespace rls_shadow::http
