// search_path: how a session's unqualified table names find their schema.
//
// PostgreSQL keeps the setting as text: `SET search_path = app, "$user"` stores each name
// quoted where it must be (`app, "$user"`), set_config() and login defaults store what they are
// given, and every lookup splits that text as SplitIdentifierString does (quoted names kept as
// written, others lower-cased). The first schema on the path that has the table is the one
// read; "$user" stands for the current user's schema. Verified on PostgreSQL 15.18 with SHOW.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rls_shadow {

// The search_path PostgreSQL starts with.
inline constexpr std::string_view kDefaultSearchPath = "\"$user\", public";

// `name` as one element of the setting's text: as is when it is a plain lower-case identifier,
// else in double quotes (quote_identifier).
std::string SearchPathElement(std::string_view name);

// The text `SET name TO e1, e2, ...` (or ALTER ROLE ... SET) stores: the elements joined with
// ", ", search_path's each as SearchPathElement.
std::string SetValueText(std::string_view setting, const std::vector<std::string>& elements);

// The schemas `value` names, in order, "$user" replaced by `current_user`. An element that does
// not parse ends the list (PostgreSQL rejects such a value when it is set).
std::vector<std::string> ParseSearchPath(std::string_view value, std::string_view current_user);

}  // namespace rls_shadow
