#include "analyze/view_expansion.h"

#include <string>

namespace rls_shadow {
namespace {

// Deep enough for any sane view stack; a cycle (impossible in PostgreSQL) stops here too.
constexpr int kMaxViewDepth = 16;

void Expand(const PolicyCatalog& catalog, const TableAccess& access, const AccessContext& ctx,
            int depth, BaseAccessSink sink) {
  const TableInfo* view = access.schema.empty() && ctx.search_path != nullptr
                              ? catalog.FindOnPath(access.relname, *ctx.search_path)
                              : catalog.FindTable(access.schema, access.relname);
  // REFRESH MATERIALIZED VIEW runs the view's query as its owner, as an owner's view reads.
  const bool refresh = access.refresh && view != nullptr && view->is_matview;
  if (view == nullptr || !(view->is_view || refresh) || depth >= kMaxViewDepth) {
    if (!access.refresh) sink(access, ctx, view);  // a matview's own rows have no RLS
    return;
  }
  AccessContext inner = ctx;
  if ((refresh || !view->security_invoker) && !view->owner.empty()) {
    inner.role_override = view->owner;
  }

  const bool is_write = access.command != Command::kSelect && access.command != Command::kCopyTo;
  const bool single_base = view->view_accesses.size() == 1;
  auto passes = [&](const std::string& column) {
    return single_base && (view->view_passthrough_all || view->view_passthrough.count(column));
  };
  auto all_pass = [&](const ColumnValues& values) {
    for (const auto& [column, value] : values) {
      if (!passes(column)) return false;
    }
    return true;
  };
  for (const TableAccess& base : view->view_accesses) {
    TableAccess through = base;
    through.locking = base.locking || access.locking;
    through.plan_only = access.plan_only;
    // The statement's filters on columns the view passes through pin the base rows too; the
    // others name computed or renamed columns and are dropped (unknown, never misread).
    for (const auto& filter : access.filters) {
      if (passes(filter.first)) through.filters.push_back(filter);
    }
    for (const auto& filter : access.list_filters) {
      if (passes(filter.first)) through.list_filters.push_back(filter);
    }
    // Every base row matching the filters is read only when no filter was dropped.
    through.reads_all_matching = base.reads_all_matching && access.reads_all_matching &&
                                 all_pass(access.filters) && all_pass(access.list_filters);
    if (is_write && single_base) {
      // The write lands on the base table (an auto-updatable view).
      through.command = access.command;
      through.reads_columns = access.reads_columns || !base.filters.empty();
      through.returning = access.returning;
      through.on_conflict = access.on_conflict;
      through.conflict_columns = access.conflict_columns;
      through.rows = access.rows;
      if (!view->view_passthrough_all) {
        // INSERT without a column list names columns by position: the view's positions.
        for (ColumnValues& row : through.rows) {
          for (auto& [column, value] : row) {
            if (column.empty() || column[0] != '#') continue;
            size_t pos = std::stoul(column.substr(1));
            if (pos < view->view_column_order.size()) column = view->view_column_order[pos];
          }
        }
      }
      through.assignments = access.assignments;
      through.unsupported = access.unsupported;
      bool rows_pass = true;
      for (const ColumnValues& row : through.rows) rows_pass = rows_pass && all_pass(row);
      through.rows_known = access.rows_known && rows_pass;
      if (!rows_pass) through.rows.clear();  // values of columns the base table does not have
      if (!all_pass(access.assignments)) {
        through.unsupported = "write through a view that renames or computes columns";
      }
    } else if (is_write) {
      through.unsupported = "write through a view over several tables";
    }
    Expand(catalog, through, inner, depth + 1, sink);
  }
}

}  // namespace

void ExpandViews(const PolicyCatalog& catalog, const TableAccess& access, const AccessContext& ctx,
                 BaseAccessSink sink) {
  Expand(catalog, access, ctx, 0, sink);
}

}  // namespace rls_shadow
