// PolicyCatalog: the database as it will be once the restrictive migration is applied — tables
// (owner, columns, ENABLE / FORCE ROW LEVEL SECURITY), their policies, and roles (SUPERUSER,
// BYPASSRLS, INHERIT, memberships). Built by replaying, in order, `pg_dump --schema-only`,
// `pg_dumpall --roles-only` and the migration through libpg_query.
//
// Built once at start-up, then read-only: safe to share between threads once loaded.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "analyze/analyzer_config.h"
#include "analyze/expr.h"
#include "analyze/sql_functions.h"
#include "analyze/statement.h"
#include "common/text_hash.h"
#include "rls_shadow/status.h"
#include "rls_shadow/store.h"

namespace rls_shadow {

struct ColumnInfo {
  std::string type;  // normalised (see NormalizeTypeName)
  bool not_null = false;
  ExprPtr default_expr;  // null when the column has no DEFAULT
  // GENERATED ALWAYS AS (expr) STORED: computed from the new row after BEFORE ROW triggers,
  // before the row is checked. Null when not generated.
  ExprPtr generated_expr;
};

enum class PolicyCommand { kAll, kSelect, kInsert, kUpdate, kDelete };

struct Policy {
  std::string name;
  bool permissive = true;
  PolicyCommand command = PolicyCommand::kAll;
  std::vector<std::string> roles;  // "public" for PUBLIC
  ExprPtr using_expr;              // null when absent; SQL functions inlined (SqlFunctions)
  ExprPtr check_expr;              // null when absent (then USING is the check)
  ExprPtr using_written;           // the expressions as written, before inlining: a function
  ExprPtr check_written;           // replaced later (CREATE OR REPLACE) is inlined anew
  // The setting each expression names the tenant with (TenantSettingName), null when none: the
  // tenant of a finding is read from it. Kept by PolicyCatalog::Apply, as policy_columns is.
  const std::string* using_setting = nullptr;
  const std::string* check_setting = nullptr;
};

struct TableInfo {
  std::string name;  // "public.orders"
  std::string owner;
  bool rls_enabled = false;
  bool rls_forced = false;
  std::map<std::string, ColumnInfo, std::less<>> columns;
  std::vector<std::string> column_order;  // as declared, for INSERT without a column list
  std::vector<std::string> primary_key;   // PRIMARY KEY columns, in key order; empty if none
  std::vector<Policy> policies;
  // Partitions and inheritance (PARTITION OF / ATTACH PARTITION, INHERITS / ALTER TABLE ...
  // INHERIT): a statement naming a table reaches its descendants' rows under the named table's
  // policies only, and the change stream names the table a row is stored in (a leaf).
  bool partitioned = false;          // PARTITION BY: it holds no rows of its own
  std::vector<std::string> parents;  // direct, "schema.table"
  // Every table above (nearest first) and below it, transitively. Kept by PolicyCatalog::Apply.
  std::vector<std::string> ancestors;
  std::vector<std::string> descendants;
  // Every column a policy expression of the table names (USING and WITH CHECK, subqueries
  // included), and every column of NEW or OLD a BEFORE ROW trigger's program reads or assigns:
  // the only columns of a row its policies can read, before or after the triggers ran. Kept by
  // PolicyCatalog::Apply.
  std::vector<std::string> policy_columns;
  // The stored generated columns among policy_columns. Kept by PolicyCatalog::Apply.
  std::vector<std::string> generated_policy_columns;
  // The order PostgreSQL checks a new row in (WITH CHECK runs at execution and stops at the
  // first policy that decides): indexes into `policies`, the permissive ones OR-ed in
  // descending name order (the relcache lists them so), then the restrictive ones by name.
  // Checked on 15.18 with a failing context and a passing admin policy. Kept by
  // PolicyCatalog::Apply.
  std::vector<size_t> check_order;
  // Views: the tables their query reads, whose policies are checked as the view's owner unless
  // the view is security_invoker (PG_SEMANTICS B8).
  bool is_view = false;
  bool security_invoker = false;
  // Materialized views: reading one reads its stored rows (no RLS); REFRESH runs its query
  // (view_accesses) as its owner, with the caller's settings (checked on 15.18).
  bool is_matview = false;
  std::vector<TableAccess> view_accesses;
  // View columns that are their single base table's column of the same name (`*` passes all):
  // a statement's filters and values on those columns carry over to the base table.
  std::set<std::string, std::less<>> view_passthrough;
  bool view_passthrough_all = false;
  std::vector<std::string> view_column_order;  // output names, for INSERT without a column list
  // Triggers (CREATE TRIGGER ... EXECUTE FUNCTION f()): a write to the table runs f, whose table
  // accesses the engine reports as not followed.
  struct Trigger {
    // PostgreSQL's TRIGGER_TYPE_ event bits.
    static constexpr int kInsert = 4, kDelete = 8, kUpdate = 16, kTruncate = 32;
    std::string name;
    std::string function;  // lower-case, as written
    int events = 0;        // kInsert | kDelete | kUpdate | kTruncate
    bool enabled = true;   // DISABLE TRIGGER (or ENABLE REPLICA: not for ordinary sessions)
    bool before_row = false;  // BEFORE ... FOR EACH ROW: it may change the new row
    // UPDATE OF these columns: it fires for an UPDATE only when one is a SET target.
    std::vector<std::string> update_columns;
    ExprPtr when_written;  // WHEN (...), null when none
    // What it does to NEW (its function's program, helpers inlined, inside an IF on its WHEN
    // condition); null when that cannot be run (only which columns it may change is known).
    // Kept by PolicyCatalog::Apply.
    std::shared_ptr<const TriggerProgram> program;
    // Whether it may change the new row of an `event` write (kInsert or kUpdate).
    bool ChangesNewRow(int event) const { return enabled && before_row && (events & event) != 0; }
  };
  std::vector<Trigger> triggers;  // by name: the order PostgreSQL fires them in
};

struct RoleInfo {
  bool superuser = false;
  bool bypassrls = false;
  bool inherit = true;
  std::set<std::string> member_of;
};

class PolicyCatalog {
 public:
  // Replays the DDL in `sql` (named `source` in errors). A statement libpg_query rejects is an
  // error naming source:line:column and the statement; DDL that does not concern RLS is skipped.
  Status Apply(std::string_view sql, std::string_view source);

  // Looks a table up as the default search_path would ("public" when unqualified).
  const TableInfo* FindTable(std::string_view schema, std::string_view name) const;
  // Looks a table up by its qualified name as TableInfo::name spells it ("public.orders").
  const TableInfo* FindQualified(std::string_view qualified) const;
  // Whether rows stored in `table` are under row-level security: its own, or that of a table
  // above it that a statement may name instead.
  bool UnderRls(const TableInfo& table) const;
  const RoleInfo* FindRole(std::string_view name) const;
  // The table accesses inside a function a statement or trigger calls (SqlFunctions::Reached).
  const std::vector<SqlFunctions::ReachedAccess>* Reached(std::string_view function) const {
    return functions_.Reached(function);
  }
  // The statements a call of the SQL function `function` runs (SqlFunctions::FollowedBody).
  std::optional<SqlFunctions::SqlBody> FollowedBody(std::string_view function, size_t arity) const {
    return functions_.FollowedBody(function, arity);
  }
  // What the trigger function `function` may change in the new row (SqlFunctions).
  SqlFunctions::NewRowChanges TriggerChanges(std::string_view function) const {
    return functions_.TriggerChanges(function);
  }
  // What the enabled BEFORE ROW triggers of `table` for `event` (TableInfo::Trigger::kInsert,
  // kUpdate) may change in the new row PostgreSQL then checks and writes.
  // A partition's own BEFORE ROW triggers fire for rows a statement naming its parent routes
  // there, and the parent's WITH CHECK sees what they return (15.18): those of every table
  // below `table` count too.
  SqlFunctions::NewRowChanges BeforeRowChanges(const TableInfo& table, int event) const;
  // Whether a table below `table` has BEFORE ROW triggers that may change an `event` row.
  bool TriggersBelow(const TableInfo& table, int event) const;
  // Calls fn(const TableInfo&) for each table below `table` the catalog has.
  template <typename Fn>
  void ForEachBelow(const TableInfo& table, Fn fn) const {
    for (const std::string& name : table.descendants) {
      if (const TableInfo* below = FindQualified(name)) fn(*below);
    }
  }
  bool functions_reach_tables() const { return functions_.any_reach(); }
  // CREATE DOMAIN names -> base types (a domain over a domain: the last base), for casts in
  // statements (the catalog's own expressions are resolved when it is read).
  bool has_domains() const { return !domains_.empty(); }
  const std::map<std::string, std::string, std::less<>>& domains() const { return domains_; }
  // Whether `member` has the privileges of `role`: itself, or through INHERIT memberships.
  bool HasPrivsOfRole(std::string_view member, std::string_view role) const;
  // The settings `ALTER ROLE role [IN DATABASE database] SET name TO value` gives a session at
  // login, by lower-cased name; role "" is ALTER ROLE ALL, database "" is every database. nullptr
  // when there are none.
  const SettingDefaults* RoleSettings(std::string_view role, std::string_view database) const;
  bool has_role_settings() const { return !role_settings_.empty(); }
  // Whether a table or view lives outside schema public: only then can a session's search_path
  // send an unqualified name elsewhere than public.
  bool has_other_schemas() const { return has_other_schemas_; }
  // The table an unqualified `name` means on `search_path` (schemas in order), as PostgreSQL
  // resolves it: the first schema that has it; nullptr when none does.
  const TableInfo* FindOnPath(std::string_view name,
                              const std::vector<std::string>& search_path) const;
  // Tables with RLS enabled, for the store's metadata.
  std::vector<TableMeta> RlsTables() const;
  size_t policy_count() const;

 private:
  TableInfo& TableFor(std::string_view schema, std::string_view name);
  TableInfo& TableOf(PgNode range_var);  // a RangeVar's
  // An AlterRoleSetStmt: records, changes or drops a role's setting defaults.
  void ApplyRoleSetting(PgNode body);
  // Recomputes privileges_ after the roles changed.
  void ComputePrivileges();
  // Recomputes each table's policy_columns, and each policy's first settings, after its
  // policies changed.
  void ComputePolicyColumns();
  // TableInfo::ancestors and descendants from the direct parents; a PARTITION OF or INHERITS
  // child without its parent's columns gets them.
  void ComputeHierarchy();
  // Column types and the casts of policies, defaults and generated columns name a domain's
  // base type instead of the domain: a value cast to a domain is one of its base type.
  void ResolveDomains();
  // Recomputes each policy's expressions from those written, with SQL functions inlined.
  void InlineFunctions();
  template <typename Drop>
  void ForEachDropped(PgNode body, Drop drop);

  SqlFunctions functions_;
  // Hashed: FindTable runs for every access. TableInfo addresses stay put as tables are added.
  common::TextMap<TableInfo> tables_;
  // CREATE DOMAIN: the domain's name (qualified, and bare for public) -> its base type, as
  // NormalizeTypeName writes them.
  std::map<std::string, std::string, std::less<>> domains_;
  std::map<std::string, RoleInfo, std::less<>> roles_;
  std::map<std::pair<std::string, std::string>, SettingDefaults, std::less<>> role_settings_;
  bool has_other_schemas_ = false;
  // For each role, every role whose privileges it has through INHERIT memberships: the hot
  // path asks this for every policy of every access.
  std::map<std::string, std::set<std::string, std::less<>>, std::less<>> privileges_;
};

// "schema.name" from a RangeVar body, defaulting the schema to public.
std::string QualifiedName(std::string_view schema, std::string_view name);

}  // namespace rls_shadow
