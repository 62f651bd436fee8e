// View expansion: an access to a view is an access to the tables its query reads, with the
// policies and exemptions of the view's owner — unless the view is security_invoker — and the
// session's own settings (PG_SEMANTICS B8). Views over views are followed to a fixed depth.
#pragma once

#include "analyze/policy_catalog.h"
#include "analyze/policy_evaluator.h"
#include "analyze/statement.h"
#include "common/function_ref.h"

namespace rls_shadow {

// Gets a base-table access, its context and the catalog's entry for its table (what
// PolicyCatalog::FindTable gives for it, looked up once here: null when the catalog has none).
using BaseAccessSink =
    FunctionRef<void(const TableAccess&, const AccessContext&, const TableInfo* table)>;

// Calls `sink` with `access` itself when it names no view, else with each base-table access the
// view stands for. A write through a view with one base table (an auto-updatable view) becomes
// that write on the base table, its values and filters carried over for the columns the view
// passes through unchanged (the others become unknown).
void ExpandViews(const PolicyCatalog& catalog, const TableAccess& access, const AccessContext& ctx,
                 BaseAccessSink sink);

}  // namespace rls_shadow
