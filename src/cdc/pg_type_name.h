// Canonical PostgreSQL type names: the spelling the evaluator compares, whatever a CDC source
// wrote ("character varying(20)", "timestamp with time zone", "int4", "public.tenant_kind").
#pragma once

#include <string>
#include <string_view>

namespace rls_shadow::cdc {

// Maps a declared type name, as format_type() prints it (wal2json's "type"), to the canonical
// name of ColumnValue::type: "integer" -> "int4", "bigint" -> "int8", "smallint" -> "int2",
// "boolean" -> "bool", "character varying(20)" -> "varchar", "character(1)" -> "bpchar",
// "real" -> "float4", "double precision" -> "float8", "numeric(10,2)" -> "numeric",
// "timestamp(3) with time zone" -> "timestamptz", "timestamp without time zone" -> "timestamp",
// "time with time zone" -> "timetz", "bit varying(8)" -> "varbit". Type modifiers are dropped,
// a schema qualification is dropped ("public.tenant_kind" -> "tenant_kind"; format_type
// qualifies every type outside pg_catalog when the search_path is empty, as in a walsender),
// double quotes are removed (keeping the case inside them), other names are lower-cased, and an
// array keeps its "[]" after the canonical element name ("integer[]" -> "int4[]").
std::string CanonicalTypeName(std::string_view declared);

}  // namespace rls_shadow::cdc
