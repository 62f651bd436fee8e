// JSON forms of the values the engine keeps between events (findings, analysed table accesses,
// held writes, observed change transactions, counters), for its saved state (engine_state.cc).
// Each Write* has its Read*, which returns false on JSON that is not such a value. Texts that
// are not valid UTF-8 (log lines may carry any bytes) are written as {"hex": "..."} so they come
// back byte for byte; JsonWriter would replace the invalid bytes.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>

#include "analyze/change_joiner.h"
#include "analyze/statement.h"
#include "analyze/stored_row.h"
#include "common/json_writer.h"
#include "rls_shadow/finding.h"

namespace rls_shadow {

void WriteText(JsonWriter* w, std::string_view text);
bool ReadText(simdjson::dom::element e, std::string* out);
// A nullable text: JSON null for nullopt.
void WriteOptionalText(JsonWriter* w, const std::optional<std::string>& text);
bool ReadOptionalText(simdjson::dom::element e, std::optional<std::string>* out);
// Numbers and flags of a JSON object, by key.
bool ReadInt(simdjson::dom::element object, std::string_view key, int64_t* out);
bool ReadUint(simdjson::dom::element object, std::string_view key, uint64_t* out);
bool ReadBool(simdjson::dom::element object, std::string_view key, bool* out);

void WriteFinding(JsonWriter* w, const Finding& f);
bool ReadFinding(simdjson::dom::element e, Finding* out);

void WriteTableAccess(JsonWriter* w, const TableAccess& a);
bool ReadTableAccess(simdjson::dom::element e, TableAccess* out);

// The write with its evaluation context; `context`'s pointers are not kept (Settle sets them).
void WriteHeldWrite(JsonWriter* w, const HeldWrite& hw);
bool ReadHeldWrite(simdjson::dom::element e, HeldWrite* out);

void WriteObservedTransaction(JsonWriter* w, const ObservedTransaction& t);
bool ReadObservedTransaction(simdjson::dom::element e, ObservedTransaction* out);

void WriteJoinStats(JsonWriter* w, const JoinStats& s);
bool ReadJoinStats(simdjson::dom::element e, JoinStats* out);

}  // namespace rls_shadow
