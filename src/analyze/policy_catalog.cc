#include "analyze/policy_catalog.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <numeric>

#include "analyze/pg_tree.h"
#include "analyze/search_path.h"
#include "analyze/statement_analyzer.h"
#include "common/ascii_lower.h"

namespace rls_shadow {
namespace {

PolicyCommand ParsePolicyCommand(std::string_view cmd) {
  if (cmd == "select") return PolicyCommand::kSelect;
  if (cmd == "insert") return PolicyCommand::kInsert;
  if (cmd == "update") return PolicyCommand::kUpdate;
  if (cmd == "delete") return PolicyCommand::kDelete;
  return PolicyCommand::kAll;
}

std::string RoleName(PgNode role_spec) {
  std::string_view type = StringField(role_spec, "roletype");
  if (type == "ROLESPEC_PUBLIC") return "public";
  if (type == "ROLESPEC_CURRENT_USER" || type == "ROLESPEC_CURRENT_ROLE") return "current_user";
  if (type == "ROLESPEC_SESSION_USER") return "session_user";
  return std::string(StringField(role_spec, "rolename"));
}

std::vector<std::string> RoleList(PgNode body) {
  std::vector<std::string> roles;
  for (PgNode r : ListField(body, "roles")) roles.push_back(RoleName(NodeBody(r)));
  if (roles.empty()) roles.push_back("public");
  return roles;
}

// 1-based line and column of byte `pos` in `text`.
std::pair<int, int> LineColumn(std::string_view text, size_t pos) {
  int line = 1;
  int col = 1;
  for (size_t i = 0; i < pos && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return {line, col};
}

// A table constraint: PRIMARY KEY (cols) names the key, whose columns are NOT NULL.
void SetPrimaryKey(PgNode constraint, TableInfo* table) {
  if (StringField(constraint, "contype") != "CONSTR_PRIMARY") return;
  table->primary_key.clear();
  for (PgNode k : ListField(constraint, "keys")) {
    std::string col(StringField(NodeBody(k), "sval"));
    table->columns[col].not_null = true;
    table->primary_key.push_back(std::move(col));
  }
}

void ApplyRoleOptions(PgNode body, RoleInfo* role) {
  for (PgNode opt : ListField(body, "options")) {
    PgNode def = NodeBody(opt);
    std::string_view name = StringField(def, "defname");
    auto arg = Field(def, "arg");
    bool value = arg ? BoolField(NodeBody(*arg), "boolval") : true;
    if (name == "superuser") role->superuser = value;
    if (name == "bypassrls") role->bypassrls = value;
    if (name == "inherit") role->inherit = value;
  }
}

void AddParent(TableInfo* child, const std::string& parent) {
  if (std::find(child->parents.begin(), child->parents.end(), parent) == child->parents.end())
    child->parents.push_back(parent);
}

void RemoveParent(TableInfo* child, const std::string& parent) {
  child->parents.erase(std::remove(child->parents.begin(), child->parents.end(), parent),
                       child->parents.end());
}

// A RangeVar's table, "schema.table" ("public" when unqualified).
std::string RangeVarName(PgNode range_var) {
  return QualifiedName(StringField(range_var, "schemaname"), StringField(range_var, "relname"));
}

}  // namespace

std::string QualifiedName(std::string_view schema, std::string_view name) {
  return fmt::format("{}.{}", schema.empty() ? "public" : schema, name);
}

TableInfo& PolicyCatalog::TableOf(PgNode range_var) {
  return TableFor(StringField(range_var, "schemaname"), StringField(range_var, "relname"));
}

TableInfo& PolicyCatalog::TableFor(std::string_view schema, std::string_view name) {
  std::string key = QualifiedName(schema, name);
  auto it = tables_.find(key);
  if (it == tables_.end()) {
    it = tables_.emplace(key, TableInfo{}).first;
    it->second.name = key;
  }
  return it->second;
}

// pg_dump and pg_dumpall write psql meta-commands (\connect, \restrict, \unrestrict) that are
// not SQL: blank those lines, keeping the line count so positions in errors stay true.
std::string WithoutMetaCommands(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos || line[first] != '\\') out.append(line);
    if (end < text.size()) out += '\n';
    start = end + 1;
  }
  return out;
}

// DROP POLICY / DROP TRIGGER name ON [schema.]table: `drop(table, name)` for each object whose
// table the catalog has.
template <typename Drop>
void PolicyCatalog::ForEachDropped(PgNode body, Drop drop) {
  for (PgNode obj : ListField(body, "objects")) {
    std::vector<std::string> parts;  // [schema,] table, name
    for (PgNode item : ListField(NodeBody(obj), "items")) {
      parts.emplace_back(StringField(NodeBody(item), "sval"));
    }
    if (parts.size() < 2) continue;
    const std::string schema = parts.size() >= 3 ? parts[parts.size() - 3] : std::string();
    auto it = tables_.find(QualifiedName(schema, parts[parts.size() - 2]));
    if (it != tables_.end()) drop(it->second, parts.back());
  }
}

Status PolicyCatalog::Apply(std::string_view raw_sql, std::string_view source) {
  const std::string cleaned = WithoutMetaCommands(raw_sql);
  std::string_view sql = cleaned;
  PgTree tree;
  Status parsed = tree.Parse(sql);
  if (!parsed.ok()) {
    // Name where: libpg_query reports a character position; turn it into line:column and
    // quote the offending line so the user can find the statement.
    size_t at = parsed.message().rfind("at character ");
    size_t pos = at == std::string::npos ? 0 : std::stoul(parsed.message().substr(at + 13));
    size_t byte = pos > 0 ? pos - 1 : 0;
    auto [line, col] = LineColumn(sql, byte);
    size_t line_start = sql.rfind('\n', byte == 0 ? 0 : byte - 1);
    line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
    size_t line_end = sql.find('\n', line_start);
    std::string_view text = sql.substr(line_start, line_end - line_start);
    return Status::Error(fmt::format(
        "{}:{}:{}: {} in: {}", source, line, col,
        parsed.message().substr(0, at == std::string::npos ? std::string::npos : at - 1), text));
  }

  for (const auto& stmt : tree.statements()) {
    std::string_view type = NodeType(stmt.node);
    PgNode body = NodeBody(stmt.node);
    if (type == "CreateStmt") {
      auto rel = Field(body, "relation");
      if (!rel) continue;
      TableInfo& table = TableOf(*rel);
      for (PgNode elt : ListField(body, "tableElts")) {
        if (NodeType(elt) == "Constraint") {  // CREATE TABLE t (..., PRIMARY KEY (a, b))
          SetPrimaryKey(NodeBody(elt), &table);
          continue;
        }
        if (NodeType(elt) != "ColumnDef") continue;
        PgNode col = NodeBody(elt);
        ColumnInfo info;
        if (auto tn = Field(col, "typeName"))
          info.type = NormalizeTypeName(JoinNames(*tn, "names"));
        info.not_null = BoolField(col, "is_not_null");
        for (PgNode c : ListField(col, "constraints")) {
          PgNode con = NodeBody(c);
          std::string_view contype = StringField(con, "contype");
          if (contype == "CONSTR_NOTNULL" || contype == "CONSTR_PRIMARY") info.not_null = true;
          if (contype == "CONSTR_PRIMARY") {
            table.primary_key = {std::string(StringField(col, "colname"))};
          }
          if (contype == "CONSTR_DEFAULT") {
            if (auto raw = Field(con, "raw_expr")) info.default_expr = ConvertExpr(*raw);
          }
          if (contype == "CONSTR_GENERATED") {
            if (auto raw = Field(con, "raw_expr")) info.generated_expr = ConvertExpr(*raw);
          }
        }
        std::string colname(StringField(col, "colname"));
        if (!table.columns.count(colname)) table.column_order.push_back(colname);
        table.columns[colname] = std::move(info);
      }
      table.partitioned = Field(body, "partspec").has_value();
      // PARTITION OF p / INHERITS (p, ...): the parents' columns come first, as PostgreSQL
      // orders them (pg_dump writes a partition's columns itself, and only an inheritance
      // child's own).
      std::vector<std::string> inherited_order;
      for (PgNode parent_node : ListField(body, "inhRelations")) {
        PgNode parent_rel = NodeBody(parent_node);
        const std::string parent_name = RangeVarName(parent_rel);
        AddParent(&table, parent_name);
        auto parent = tables_.find(parent_name);
        if (parent == tables_.end()) continue;
        for (const std::string& c : parent->second.column_order) {
          if (std::find(inherited_order.begin(), inherited_order.end(), c) != inherited_order.end())
            continue;
          inherited_order.push_back(c);
          if (!table.columns.count(c)) table.columns[c] = parent->second.columns.at(c);
        }
      }
      if (!inherited_order.empty()) {
        for (const std::string& c : table.column_order) {
          if (std::find(inherited_order.begin(), inherited_order.end(), c) == inherited_order.end())
            inherited_order.push_back(c);
        }
        table.column_order = std::move(inherited_order);
      }
    } else if (type == "AlterTableStmt") {
      auto rel = Field(body, "relation");
      std::string_view objtype = StringField(body, "objtype");
      if (!rel ||
          (objtype != "OBJECT_TABLE" && objtype != "OBJECT_VIEW" && objtype != "OBJECT_MATVIEW")) {
        continue;
      }
      TableInfo& table = TableOf(*rel);
      for (PgNode c : ListField(body, "cmds")) {
        PgNode cmd = NodeBody(c);
        std::string_view sub = StringField(cmd, "subtype");
        if (sub == "AT_EnableRowSecurity") table.rls_enabled = true;
        if (sub == "AT_DisableRowSecurity") table.rls_enabled = false;
        if (sub == "AT_ForceRowSecurity") table.rls_forced = true;
        if (sub == "AT_NoForceRowSecurity") table.rls_forced = false;
        if (sub == "AT_ChangeOwner") {
          if (auto owner = Field(cmd, "newowner")) table.owner = RoleName(*owner);
        }
        std::string col(StringField(cmd, "name"));
        if (sub == "AT_SetNotNull" && !col.empty()) table.columns[col].not_null = true;
        if (sub == "AT_DropNotNull" && !col.empty()) table.columns[col].not_null = false;
        if (sub == "AT_ColumnDefault" && !col.empty()) {
          auto def = Field(cmd, "def");
          table.columns[col].default_expr = def ? ConvertExpr(*def) : nullptr;
        }
        if (sub == "AT_EnableTrig" || sub == "AT_EnableAlwaysTrig" ||
            sub == "AT_EnableReplicaTrig" || sub == "AT_DisableTrig") {
          for (TableInfo::Trigger& t : table.triggers) {
            if (t.name == col) t.enabled = sub == "AT_EnableTrig" || sub == "AT_EnableAlwaysTrig";
          }
        }
        if (sub == "AT_EnableTrigAll" || sub == "AT_DisableTrigAll" || sub == "AT_EnableTrigUser" ||
            sub == "AT_DisableTrigUser") {
          for (TableInfo::Trigger& t : table.triggers)
            t.enabled = sub.find("Enable") != std::string_view::npos;
        }
        // ATTACH / DETACH PARTITION name the child; INHERIT / NO INHERIT the parent.
        if (sub == "AT_AttachPartition" || sub == "AT_DetachPartition") {
          auto def = Field(cmd, "def");
          auto child_rel = def ? Field(NodeBody(*def), "name") : std::nullopt;
          if (child_rel) {
            TableInfo& child = TableOf(*child_rel);
            if (sub == "AT_AttachPartition") {
              AddParent(&child, table.name);
            } else {
              RemoveParent(&child, table.name);
            }
          }
        }
        if (sub == "AT_AddInherit" || sub == "AT_DropInherit") {
          if (auto def = Field(cmd, "def")) {
            PgNode parent_rel = NodeBody(*def);
            const std::string parent_name = RangeVarName(parent_rel);
            if (sub == "AT_AddInherit") {
              AddParent(&table, parent_name);
            } else {
              RemoveParent(&table, parent_name);
            }
          }
        }
        if (sub == "AT_AddConstraint") {
          // ALTER TABLE ONLY t ADD CONSTRAINT t_pkey PRIMARY KEY (id): keys are NOT NULL.
          if (auto def = Field(cmd, "def")) {
            SetPrimaryKey(NodeBody(*def), &table);
          }
        }
      }
    } else if (type == "CreateDomainStmt") {
      auto base = Field(body, "typeName");
      if (!base) continue;
      std::string name = NormalizeTypeName(JoinNames(body, "domainname"));
      if (name.find('.') == std::string::npos) name = "public." + name;
      const std::string base_type = NormalizeTypeName(JoinNames(*base, "names"));
      domains_[name] = base_type;
      if (name.starts_with("public.")) domains_[name.substr(7)] = base_type;
    } else if (type == "CreateTableAsStmt" && StringField(body, "objtype") == "OBJECT_MATVIEW") {
      auto into = Field(body, "into");
      auto rel = into ? Field(*into, "rel") : std::nullopt;
      auto query = Field(body, "query");
      if (!rel || !query) continue;
      TableInfo& mv = TableOf(*rel);
      mv.is_matview = true;
      mv.view_accesses = QueryAccesses(*query);
    } else if (type == "ViewStmt") {
      auto view = Field(body, "view");
      auto query = Field(body, "query");
      if (!view || !query) continue;
      TableInfo& v = TableOf(*view);
      v.is_view = true;
      v.view_accesses = QueryAccesses(*query);
      v.view_passthrough.clear();
      v.view_passthrough_all = false;
      v.view_column_order.clear();
      PgNode select = NodeBody(*query);
      if (NodeType(*query) == "SelectStmt" && ListField(select, "fromClause").size() == 1) {
        for (PgNode target : ListField(select, "targetList")) {
          PgNode rt = NodeBody(target);
          auto val = Field(rt, "val");
          if (!val || NodeType(*val) != "ColumnRef") continue;
          std::vector<PgNode> fields = ListField(NodeBody(*val), "fields");
          if (fields.empty()) continue;
          if (NodeType(fields.back()) == "A_Star") {
            v.view_passthrough_all = true;
            continue;
          }
          std::string column(StringField(NodeBody(fields.back()), "sval"));
          std::string_view alias = StringField(rt, "name");
          v.view_column_order.emplace_back(alias.empty() ? std::string_view(column) : alias);
          if (alias.empty() || alias == column) v.view_passthrough.insert(column);
        }
      }
      for (PgNode opt : ListField(body, "options")) {
        PgNode def = NodeBody(opt);
        if (StringField(def, "defname") != "security_invoker") continue;
        auto arg = Field(def, "arg");
        std::string value = arg ? std::string(StringField(NodeBody(*arg), "sval")) : "true";
        v.security_invoker = (value == "true" || value == "on" || value == "1" || value == "yes");
      }
    } else if (type == "CreatePolicyStmt" || type == "AlterPolicyStmt") {
      auto rel = Field(body, "table");
      if (!rel) continue;
      TableInfo& table = TableOf(*rel);
      std::string name(StringField(body, "policy_name"));
      auto existing = std::find_if(table.policies.begin(), table.policies.end(),
                                   [&](const Policy& p) { return p.name == name; });
      if (type == "CreatePolicyStmt") {
        Policy p;
        p.name = name;
        p.permissive = BoolField(body, "permissive");
        p.command = ParsePolicyCommand(StringField(body, "cmd_name"));
        p.roles = RoleList(body);
        if (auto q = Field(body, "qual")) p.using_written = ConvertExpr(*q);
        if (auto c = Field(body, "with_check")) p.check_written = ConvertExpr(*c);
        if (existing != table.policies.end())
          *existing = std::move(p);
        else
          table.policies.push_back(std::move(p));
      } else if (existing != table.policies.end()) {
        if (!ListField(body, "roles").empty()) existing->roles = RoleList(body);
        if (auto q = Field(body, "qual")) existing->using_written = ConvertExpr(*q);
        if (auto c = Field(body, "with_check")) existing->check_written = ConvertExpr(*c);
      }
    } else if (type == "DropStmt" && StringField(body, "removeType") == "OBJECT_POLICY") {
      ForEachDropped(body, [](TableInfo& table, const std::string& policy) {
        std::erase_if(table.policies, [&](const Policy& p) { return p.name == policy; });
      });
    } else if (type == "CreateTrigStmt") {
      auto rel = Field(body, "relation");
      if (!rel) continue;
      TableInfo& table = TableOf(*rel);
      TableInfo::Trigger t;
      t.name = std::string(StringField(body, "trigname"));
      t.function = AsciiLower(JoinNames(body, "funcname"));
      t.events = static_cast<int>(IntField(body, "events"));
      constexpr int64_t kTriggerTypeBefore = 2;  // PostgreSQL's TRIGGER_TYPE_BEFORE
      t.before_row = BoolField(body, "row") && IntField(body, "timing") == kTriggerTypeBefore;
      for (PgNode column : ListField(body, "columns")) {
        t.update_columns.emplace_back(StringField(NodeBody(column), "sval"));
      }
      if (auto when = Field(body, "whenClause")) t.when_written = ConvertExpr(*when);
      std::erase_if(table.triggers, [&](const TableInfo::Trigger& x) { return x.name == t.name; });
      auto by_name = std::lower_bound(
          table.triggers.begin(), table.triggers.end(), t.name,
          [](const TableInfo::Trigger& x, const std::string& name) { return x.name < name; });
      table.triggers.insert(by_name, std::move(t));
    } else if (type == "CreateFunctionStmt") {
      functions_.Create(
          body, stmt.length == 0 ? sql.substr(stmt.start) : sql.substr(stmt.start, stmt.length));
    } else if (type == "DropStmt" && StringField(body, "removeType") == "OBJECT_TRIGGER") {
      ForEachDropped(body, [](TableInfo& table, const std::string& trigger) {
        std::erase_if(table.triggers,
                      [&](const TableInfo::Trigger& t) { return t.name == trigger; });
      });
    } else if (type == "DropStmt" && StringField(body, "removeType") == "OBJECT_FUNCTION") {
      functions_.Drop(body);
    } else if (type == "CreateRoleStmt") {
      RoleInfo& role = roles_[std::string(StringField(body, "role"))];
      ApplyRoleOptions(body, &role);
    } else if (type == "AlterRoleStmt") {
      auto spec = Field(body, "role");
      if (!spec) continue;
      RoleInfo& role = roles_[RoleName(*spec)];
      ApplyRoleOptions(body, &role);
    } else if (type == "AlterRoleSetStmt") {
      ApplyRoleSetting(body);
    } else if (type == "GrantRoleStmt") {
      bool grant = BoolField(body, "is_grant");
      for (PgNode granted : ListField(body, "granted_roles")) {
        std::string g(StringField(NodeBody(granted), "priv_name"));
        for (PgNode grantee : ListField(body, "grantee_roles")) {
          RoleInfo& member = roles_[RoleName(NodeBody(grantee))];
          if (grant)
            member.member_of.insert(g);
          else
            member.member_of.erase(g);
        }
      }
    }
  }
  ComputePrivileges();
  ResolveDomains();
  functions_.ComputeReach();
  InlineFunctions();
  ComputePolicyColumns();
  ComputeHierarchy();
  has_other_schemas_ = std::any_of(tables_.begin(), tables_.end(), [](const auto& entry) {
    return std::string_view(entry.first).substr(0, 7) != "public.";
  });
  return Status::Ok();
}

const TableInfo* PolicyCatalog::FindOnPath(std::string_view name,
                                           const std::vector<std::string>& search_path) const {
  for (const std::string& schema : search_path) {
    if (const TableInfo* table = FindTable(schema, name)) return table;
  }
  return nullptr;
}

// ALTER ROLE { role | ALL } [IN DATABASE db] { SET name { TO | = } value | RESET name | RESET ALL
// }, as pg_dumpall writes a role's defaults (`ALTER ROLE svc SET "app.tenant" TO '...'`).
void PolicyCatalog::ApplyRoleSetting(PgNode body) {
  auto spec = Field(body, "role");
  auto set = Field(body, "setstmt");
  if (!set) return;
  std::pair<std::string, std::string> key{spec ? RoleName(*spec) : std::string(),
                                          std::string(StringField(body, "database"))};
  std::string_view kind = StringField(*set, "kind");
  if (kind == "VAR_RESET_ALL") {
    role_settings_.erase(key);
    return;
  }
  const std::string name = AsciiLower(StringField(*set, "name"));
  if (kind == "VAR_RESET") {
    if (auto it = role_settings_.find(key); it != role_settings_.end()) it->second.erase(name);
    return;
  }
  if (kind != "VAR_SET_VALUE") return;
  std::vector<std::string> elements;
  for (PgNode arg : ListField(*set, "args")) elements.push_back(ConvertExpr(arg)->text);
  role_settings_[key][name] = SetValueText(name, elements);
}

const SettingDefaults* PolicyCatalog::RoleSettings(std::string_view role,
                                                   std::string_view database) const {
  auto it = role_settings_.find(std::make_pair(std::string(role), std::string(database)));
  return it == role_settings_.end() ? nullptr : &it->second;
}

void PolicyCatalog::ResolveDomains() {
  if (domains_.empty()) return;
  // A domain over a domain resolves to the last one's base; "t[]" to its element's base.
  std::function<std::string(const std::string&)> base = [&](const std::string& type) {
    if (type.size() > 2 && type.ends_with("[]"))
      return base(type.substr(0, type.size() - 2)) + "[]";
    std::string t = type;
    for (int depth = 0; depth < 16; ++depth) {
      auto it = domains_.find(t);
      if (it == domains_.end()) break;
      t = it->second;
    }
    return t;
  };
  // A copy of `e` with its casts to domains naming their base types; `e` itself when it has
  // none.
  std::function<ExprPtr(const ExprPtr&)> resolve = [&](const ExprPtr& e) -> ExprPtr {
    if (!e) return e;
    ExprPtr out = MapArgs(e, resolve);
    if (out->kind != Expr::Kind::kCast) return out;
    std::string type = base(out->name);
    if (type == out->name) return out;
    auto cast = std::make_shared<Expr>(*out);
    cast->name = std::move(type);
    return cast;
  };
  for (auto& [name, type] : domains_) type = base(type);
  for (auto& [name, table] : tables_) {
    for (auto& [column, info] : table.columns) {
      info.type = base(info.type);
      info.default_expr = resolve(info.default_expr);
      info.generated_expr = resolve(info.generated_expr);
    }
    for (Policy& p : table.policies) {
      p.using_written = resolve(p.using_written);
      p.check_written = resolve(p.check_written);
    }
  }
}

bool PolicyCatalog::UnderRls(const TableInfo& table) const {
  if (table.rls_enabled) return true;
  return std::any_of(table.ancestors.begin(), table.ancestors.end(), [&](const std::string& a) {
    const TableInfo* above = FindQualified(a);
    return above != nullptr && above->rls_enabled;
  });
}

void PolicyCatalog::ComputeHierarchy() {
  for (auto& [name, table] : tables_) {
    table.ancestors.clear();
    table.descendants.clear();
  }
  // Breadth first up each table's parents: nearest first, each once (multiple inheritance may
  // reach one twice), a cycle (not possible in PostgreSQL) stopped by the same check.
  for (auto& [name, table] : tables_) {
    std::vector<std::string> queue = table.parents;
    for (size_t i = 0; i < queue.size(); ++i) {
      const std::string above = queue[i];
      if (above == name || std::find(table.ancestors.begin(), table.ancestors.end(), above) !=
                               table.ancestors.end()) {
        continue;
      }
      table.ancestors.push_back(above);
      auto it = tables_.find(above);
      if (it == tables_.end()) continue;
      it->second.descendants.push_back(name);
      queue.insert(queue.end(), it->second.parents.begin(), it->second.parents.end());
    }
  }
  for (auto& [name, table] : tables_) {
    std::sort(table.descendants.begin(), table.descendants.end());
  }
}

const TableInfo* PolicyCatalog::FindQualified(std::string_view qualified) const {
  auto it = tables_.find(qualified);
  return it == tables_.end() ? nullptr : &it->second;
}

const TableInfo* PolicyCatalog::FindTable(std::string_view schema, std::string_view name) const {
  // Called for every access: the key is put together on the stack (string appends cost more
  // than the hash lookup); only a name longer than any PostgreSQL identifier pair needs a string.
  if (schema.empty()) schema = "public";
  char buffer[160];
  if (schema.size() + 1 + name.size() > sizeof buffer) {
    return FindQualified(std::string(schema) + '.' + std::string(name));
  }
  std::memcpy(buffer, schema.data(), schema.size());
  buffer[schema.size()] = '.';
  std::memcpy(buffer + schema.size() + 1, name.data(), name.size());
  return FindQualified(std::string_view(buffer, schema.size() + 1 + name.size()));
}

const RoleInfo* PolicyCatalog::FindRole(std::string_view name) const {
  auto it = roles_.find(name);
  return it == roles_.end() ? nullptr : &it->second;
}

SqlFunctions::NewRowChanges PolicyCatalog::BeforeRowChanges(const TableInfo& table,
                                                            int event) const {
  SqlFunctions::NewRowChanges out;
  auto add = [&](const TableInfo& of) {
    for (const TableInfo::Trigger& t : of.triggers) {
      if (!t.ChangesNewRow(event)) continue;
      SqlFunctions::NewRowChanges changes = functions_.TriggerChanges(t.function);
      out.all |= changes.all;
      out.columns.insert(out.columns.end(), changes.columns.begin(), changes.columns.end());
    }
  };
  add(table);
  ForEachBelow(table, add);
  return out;
}

bool PolicyCatalog::TriggersBelow(const TableInfo& table, int event) const {
  bool any = false;
  ForEachBelow(table, [&](const TableInfo& below) {
    for (const TableInfo::Trigger& t : below.triggers) any = any || t.ChangesNewRow(event);
  });
  return any;
}

bool PolicyCatalog::HasPrivsOfRole(std::string_view member, std::string_view role) const {
  if (member == role || role == "public") return true;
  auto it = privileges_.find(member);
  return it != privileges_.end() && it->second.find(role) != it->second.end();
}

void PolicyCatalog::InlineFunctions() {
  for (auto& [name, table] : tables_) {
    for (Policy& p : table.policies) {
      p.using_expr = functions_.Inline(p.using_written);
      p.check_expr = functions_.Inline(p.check_written);
    }
    for (TableInfo::Trigger& t : table.triggers) {
      t.program = nullptr;
      const TriggerProgram* written = functions_.TriggerProgramOf(t.function);
      if (!t.before_row || written == nullptr) continue;
      TriggerProgram program = InlineTriggerProgram(*written, functions_);
      if (t.when_written) {
        // WHEN (cond): the function runs only when cond is TRUE, as an IF around its body.
        TriggerStep when;
        when.kind = TriggerStep::Kind::kIf;
        when.branches.emplace_back(functions_.Inline(t.when_written), std::move(program.steps));
        program.steps = {std::move(when)};
      }
      t.program = std::make_shared<const TriggerProgram>(std::move(program));
    }
  }
}

void PolicyCatalog::ComputePolicyColumns() {
  for (auto& [name, table] : tables_) {
    table.policy_columns.clear();
    for (Policy& p : table.policies) {
      if (p.using_expr) CollectColumns(*p.using_expr, &table.policy_columns);
      if (p.check_expr) CollectColumns(*p.check_expr, &table.policy_columns);
      p.using_setting = p.using_expr ? TenantSettingName(*p.using_expr) : nullptr;
      p.check_setting = p.check_expr ? TenantSettingName(*p.check_expr) : nullptr;
    }
    for (const TableInfo::Trigger& t : table.triggers) {
      if (t.program) CollectRowColumns(*t.program, &table.policy_columns);
    }
    // A generated column the policies read is computed from the columns its expression reads.
    table.generated_policy_columns.clear();
    for (const auto& [column, info] : table.columns) {
      if (info.generated_expr && std::find(table.policy_columns.begin(), table.policy_columns.end(),
                                           column) != table.policy_columns.end()) {
        table.generated_policy_columns.push_back(column);
      }
    }
    for (const std::string& column : table.generated_policy_columns) {
      CollectColumns(*table.columns.at(column).generated_expr, &table.policy_columns);
    }
    table.check_order.resize(table.policies.size());
    std::iota(table.check_order.begin(), table.check_order.end(), size_t{0});
    std::sort(table.check_order.begin(), table.check_order.end(), [&](size_t a, size_t b) {
      const Policy& x = table.policies[a];
      const Policy& y = table.policies[b];
      if (x.permissive != y.permissive) return x.permissive;
      return x.permissive ? x.name > y.name : x.name < y.name;
    });
  }
}

void PolicyCatalog::ComputePrivileges() {
  privileges_.clear();
  for (const auto& [name, info] : roles_) {
    // Breadth-first over INHERIT memberships; a NOINHERIT role has only its own privileges.
    auto& reach = privileges_[name];
    std::vector<std::string> frontier{name};
    while (!frontier.empty()) {
      std::string current = std::move(frontier.back());
      frontier.pop_back();
      const RoleInfo* r = FindRole(current);
      if (r == nullptr || !r->inherit) continue;
      for (const auto& parent : r->member_of) {
        if (reach.insert(parent).second) frontier.push_back(parent);
      }
    }
  }
}

std::vector<TableMeta> PolicyCatalog::RlsTables() const {
  std::vector<TableMeta> out;
  for (const auto& [name, table] : tables_) {
    if (!table.rls_enabled) continue;
    TableMeta meta;
    meta.table = name;
    meta.owner = table.owner;
    meta.rls_enabled = table.rls_enabled;
    meta.rls_forced = table.rls_forced;
    for (const auto& p : table.policies) meta.policies.push_back(p.name);
    out.push_back(std::move(meta));
  }
  std::sort(out.begin(), out.end(),
            [](const TableMeta& a, const TableMeta& b) { return a.table < b.table; });
  return out;
}

size_t PolicyCatalog::policy_count() const {
  size_t n = 0;
  for (const auto& [name, table] : tables_) n += table.policies.size();
  return n;
}

}  // namespace rls_shadow
