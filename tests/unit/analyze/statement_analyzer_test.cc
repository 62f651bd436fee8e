// StatementAnalyzer / AnalyzeSql: which relations a statement reads and writes and with which
// command, the values it assigns, the equality filters of its WHERE clause, the settings it
// changes and the transaction control it performs.
#include "analyze/statement_analyzer.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "analyze/expr.h"

namespace rls_shadow {
namespace {

AnalyzedStatement One(const std::string& sql) {
  AnalyzedText t = AnalyzeSql(sql);
  EXPECT_TRUE(t.parsed) << t.parse_error;
  EXPECT_EQ(t.statements.size(), 1u) << sql;
  return t.statements.empty() ? AnalyzedStatement{} : t.statements.front();
}

// "relname:command" for every access, in order.
std::vector<std::string> Accesses(const AnalyzedStatement& st) {
  std::vector<std::string> out;
  for (const TableAccess& a : st.accesses) {
    out.push_back((a.schema.empty() ? "" : a.schema + ".") + a.relname + ":" +
                  std::string(CommandName(a.command)));
  }
  return out;
}

const TableAccess* Find(const AnalyzedStatement& st, const std::string& relname, Command command) {
  for (const TableAccess& a : st.accesses) {
    if (a.relname == relname && a.command == command) return &a;
  }
  return nullptr;
}

// "col=<expr>" for a ColumnValues list.
std::vector<std::string> Render(const ColumnValues& values) {
  std::vector<std::string> out;
  for (const auto& [col, e] : values) out.push_back(col + "=" + (e ? ExprToString(*e) : "DEFAULT"));
  return out;
}

using Strings = std::vector<std::string>;

// --- relations and commands ---------------------------------------------------------------------

TEST(StatementAnalyzer, SelectReadsEveryRelationIncludingSubqueries) {
  EXPECT_EQ(Accesses(One("SELECT * FROM t")), Strings{"t:select"});
  EXPECT_EQ(Accesses(One("SELECT * FROM app.orders o")), Strings{"app.orders:select"});
  EXPECT_EQ(Accesses(One("SELECT * FROM t JOIN u ON u.id = t.id LEFT JOIN v USING (id)")),
            (Strings{"t:select", "u:select", "v:select"}));
  EXPECT_EQ(Accesses(One("SELECT * FROM t WHERE id IN (SELECT id FROM u)")),
            (Strings{"t:select", "u:select"}));
  EXPECT_EQ(Accesses(One("SELECT (SELECT max(id) FROM u), * FROM (SELECT * FROM t) s")),
            (Strings{"u:select", "t:select"}));
  EXPECT_TRUE(One("SELECT 1").accesses.empty());
}

TEST(StatementAnalyzer, CteNamesAreNotTables) {
  AnalyzedStatement st = One("WITH x AS (SELECT * FROM t) SELECT * FROM x JOIN u ON true");
  Strings got = Accesses(st);
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (Strings{"t:select", "u:select"}));
}

TEST(StatementAnalyzer, CteNamesAreNotTablesWhereverTheCteIs) {
  // The walk for CTE names is skipped for texts whose tree mentions no CommonTableExpr: a CTE
  // in the second statement of a string, or in a prepared query, must still be found.
  AnalyzedText two = AnalyzeSql("SELECT * FROM x; WITH x AS (SELECT * FROM t) SELECT * FROM x");
  ASSERT_TRUE(two.parsed) << two.parse_error;
  ASSERT_EQ(two.statements.size(), 2u);
  EXPECT_EQ(Accesses(two.statements[1]), Strings{"t:select"});
  AnalyzedStatement prepare = One("PREPARE q AS WITH x AS (SELECT * FROM t) SELECT * FROM x");
  ASSERT_NE(prepare.prepared, nullptr);
  EXPECT_EQ(Accesses(*prepare.prepared), Strings{"t:select"});
  // A table named like the node type is still a table.
  EXPECT_EQ(Accesses(One("SELECT * FROM \"CommonTableExpr\"")), Strings{"CommonTableExpr:select"});
}

TEST(StatementAnalyzer, DmlInsideCte) {
  AnalyzedStatement st =
      One("WITH d AS (DELETE FROM t WHERE id = 1 RETURNING *) INSERT INTO archive SELECT * "
          "FROM d");
  ASSERT_NE(Find(st, "t", Command::kDelete), nullptr);
  ASSERT_NE(Find(st, "archive", Command::kInsert), nullptr);
  EXPECT_EQ(Find(st, "d", Command::kSelect), nullptr);
  EXPECT_TRUE(Find(st, "t", Command::kDelete)->returning);
  AnalyzedStatement upd = One("WITH u AS (UPDATE t SET val = 'x' RETURNING id) SELECT * FROM u");
  EXPECT_EQ(Accesses(upd), Strings{"t:update"});
}

TEST(StatementAnalyzer, InsertValuesRowsFromLiteralsAndParams) {
  AnalyzedStatement st =
      One("INSERT INTO t (id, tenant_id, val) VALUES (1, $1, 'a'), (2, $2, "
          "DEFAULT)");
  ASSERT_EQ(st.accesses.size(), 1u);
  const TableAccess& a = st.accesses[0];
  EXPECT_EQ(a.command, Command::kInsert);
  EXPECT_TRUE(a.rows_known);
  ASSERT_EQ(a.rows.size(), 2u);
  EXPECT_EQ(Render(a.rows[0]), (Strings{"id=1", "tenant_id=$1", "val='a'"}));
  EXPECT_EQ(Render(a.rows[1]), (Strings{"id=2", "tenant_id=$2", "val=DEFAULT"}));
  // Without a column list, positions stand for the declared column order.
  AnalyzedStatement positional = One("INSERT INTO t VALUES (1, 'x')");
  EXPECT_EQ(Render(positional.accesses[0].rows[0]), (Strings{"#0=1", "#1='x'"}));
  // DEFAULT VALUES: one row of defaults.
  AnalyzedStatement defaults = One("INSERT INTO t DEFAULT VALUES");
  EXPECT_TRUE(defaults.accesses[0].rows_known);
  EXPECT_EQ(defaults.accesses[0].rows.size(), 1u);
}

TEST(StatementAnalyzer, InsertSelectReadsTheSourceAndDoesNotKnowTheRows) {
  AnalyzedStatement st = One("INSERT INTO t_nf SELECT * FROM t WHERE tenant_id = $1");
  const TableAccess* ins = Find(st, "t_nf", Command::kInsert);
  ASSERT_NE(ins, nullptr);
  EXPECT_FALSE(ins->rows_known);
  const TableAccess* sel = Find(st, "t", Command::kSelect);
  ASSERT_NE(sel, nullptr);
  EXPECT_EQ(Render(sel->filters), Strings{"tenant_id=$1"});
}

TEST(StatementAnalyzer, OnConflictDoUpdate) {
  AnalyzedStatement st =
      One("INSERT INTO t (id, tenant_id, val) VALUES ($1, $2, $3) ON CONFLICT "
          "(id) DO UPDATE SET val = excluded.val, tenant_id = $2 RETURNING id");
  ASSERT_EQ(st.accesses.size(), 1u);
  const TableAccess& a = st.accesses[0];
  EXPECT_EQ(a.on_conflict, TableAccess::OnConflict::kUpdate);
  EXPECT_EQ(a.conflict_columns, Strings{"id"});
  EXPECT_EQ(Render(a.assignments), (Strings{"val=excluded.val", "tenant_id=$2"}));
  EXPECT_TRUE(a.returning);
  AnalyzedStatement nothing = One("INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING");
  EXPECT_EQ(nothing.accesses[0].on_conflict, TableAccess::OnConflict::kNothing);
  EXPECT_FALSE(nothing.accesses[0].returning);
}

TEST(StatementAnalyzer, SelectForUpdateIsLocking) {
  AnalyzedStatement st =
      One("SELECT * FROM jobs WHERE state = 'ready' LIMIT 1 FOR UPDATE SKIP LOCKED");
  ASSERT_EQ(st.accesses.size(), 1u);
  EXPECT_EQ(st.accesses[0].command, Command::kSelect);
  EXPECT_TRUE(st.accesses[0].locking);
  EXPECT_FALSE(One("SELECT * FROM jobs").accesses[0].locking);
}

// Which tables a locking clause locks (checked on PostgreSQL 15.18: a locked table's UPDATE
// policies apply, an unlocked one's do not).
TEST(StatementAnalyzer, LockingClauseLocksTheTablesPostgresLocks) {
  auto locked = [](const std::string& sql) {
    std::vector<std::string> out;
    for (const TableAccess& a : One(sql).accesses) {
      out.push_back(a.relname + (a.locking ? ":locked" : ":read"));
    }
    return out;
  };
  // OF names FROM items by their visible name: the alias, else the table's bare name.
  EXPECT_EQ(locked("SELECT * FROM orders o, members m WHERE m.id = o.id FOR SHARE OF o"),
            (Strings{"orders:locked", "members:read"}));
  EXPECT_EQ(locked("SELECT * FROM orders JOIN members m ON true FOR UPDATE OF orders"),
            (Strings{"orders:locked", "members:read"}));
  EXPECT_EQ(locked("SELECT * FROM orders o JOIN members m ON true FOR UPDATE OF o FOR SHARE OF m"),
            (Strings{"orders:locked", "members:locked"}));
  // A name in OF is not a table read, even when a table has that name.
  EXPECT_EQ(locked("SELECT * FROM orders o FOR UPDATE OF members"), (Strings{"orders:read"}));
  // Without OF, subqueries in FROM are locked at any depth; with OF naming one, all of it.
  EXPECT_EQ(locked("SELECT * FROM (SELECT * FROM (SELECT * FROM members) a) b FOR KEY SHARE"),
            (Strings{"members:locked"}));
  EXPECT_EQ(locked("SELECT * FROM orders o JOIN (SELECT * FROM members) m ON true "
                   "FOR NO KEY UPDATE OF m"),
            (Strings{"orders:read", "members:locked"}));
  // Not subqueries elsewhere, and not CTEs.
  EXPECT_EQ(locked("SELECT * FROM orders WHERE id IN (SELECT id FROM members) FOR UPDATE"),
            (Strings{"orders:locked", "members:read"}));
  EXPECT_EQ(locked("WITH m AS (SELECT id FROM members) SELECT * FROM orders JOIN m ON true "
                   "FOR UPDATE"),
            (Strings{"orders:locked", "members:read"}));
}

// An UPDATE or DELETE that reads none of its target's columns gets no SELECT policies
// (PostgreSQL 15.18: `DELETE ... WHERE now() > ...`, `UPDATE ... WHERE true RETURNING 1` and an
// uncorrelated EXISTS touched every row under a SELECT policy that hid half of them).
TEST(StatementAnalyzer, OnlyReadingATargetColumnReadsColumns) {
  auto reads = [](const std::string& sql) { return One(sql).accesses[0].reads_columns; };
  EXPECT_TRUE(reads("DELETE FROM t WHERE id = 1"));
  EXPECT_TRUE(reads("DELETE FROM t x WHERE x.id = 1"));
  EXPECT_TRUE(reads("DELETE FROM t WHERE false RETURNING *"));
  EXPECT_TRUE(reads("UPDATE t SET a = 1 WHERE EXISTS (SELECT 1 FROM u WHERE u.id = t.id)"));
  EXPECT_TRUE(reads("UPDATE t SET a = b"));
  EXPECT_FALSE(reads("DELETE FROM t WHERE now() > '2020-01-01'"));
  EXPECT_FALSE(reads("DELETE FROM t WHERE false"));
  EXPECT_FALSE(reads("UPDATE t SET a = 1 WHERE true RETURNING 1"));
  EXPECT_FALSE(reads("UPDATE t SET a = 1 WHERE EXISTS (SELECT 1 FROM u)"));
  EXPECT_FALSE(reads("UPDATE t SET a = 1 FROM u WHERE u.id = 5"));
  EXPECT_FALSE(reads("UPDATE t SET a = 1"));
}

TEST(StatementAnalyzer, UpdateAssignmentsFiltersAndColumnReads) {
  AnalyzedStatement st = One("UPDATE t SET val = $1, tenant_id = 'x' WHERE id = 5");
  ASSERT_EQ(st.accesses.size(), 1u);
  const TableAccess& a = st.accesses[0];
  EXPECT_EQ(a.command, Command::kUpdate);
  EXPECT_EQ(Render(a.assignments), (Strings{"val=$1", "tenant_id='x'"}));
  EXPECT_EQ(Render(a.filters), Strings{"id=5"});
  EXPECT_TRUE(a.reads_columns);  // WHERE reads a column
  EXPECT_FALSE(One("UPDATE t SET val = 'x'").accesses[0].reads_columns);
  EXPECT_TRUE(One("UPDATE t SET val = val || 'x'").accesses[0].reads_columns);
  EXPECT_TRUE(One("UPDATE t SET val = 'x' RETURNING id").accesses[0].reads_columns);
}

TEST(StatementAnalyzer, UpdateFromAndDeleteUsing) {
  AnalyzedStatement upd =
      One("UPDATE t SET val = u.val FROM u WHERE t.id = u.id AND t.tenant_id = $1 AND u.k = 3");
  const TableAccess* target = Find(upd, "t", Command::kUpdate);
  const TableAccess* source = Find(upd, "u", Command::kSelect);
  ASSERT_NE(target, nullptr);
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(Render(target->filters), Strings{"tenant_id=$1"});
  EXPECT_EQ(Render(source->filters), Strings{"k=3"});

  AnalyzedStatement del = One("DELETE FROM t USING u WHERE t.id = u.id AND u.k = 3");
  ASSERT_NE(Find(del, "t", Command::kDelete), nullptr);
  ASSERT_NE(Find(del, "u", Command::kSelect), nullptr);
  EXPECT_EQ(Render(Find(del, "u", Command::kSelect)->filters), Strings{"k=3"});
  EXPECT_TRUE(Find(del, "t", Command::kDelete)->filters.empty());
}

TEST(StatementAnalyzer, WhereEqualityFilters) {
  // Unqualified, either side of '='.
  EXPECT_EQ(Render(One("SELECT * FROM t WHERE tenant_id = $1 AND 7 = id").accesses[0].filters),
            (Strings{"tenant_id=$1", "id=7"}));
  // Qualified by alias or by table name.
  EXPECT_EQ(Render(One("SELECT * FROM t x WHERE x.id = 1").accesses[0].filters), Strings{"id=1"});
  EXPECT_EQ(Render(One("SELECT * FROM t WHERE t.id = 1").accesses[0].filters), Strings{"id=1"});
  // Not filters: OR, inequality, a column on both sides, a subquery value.
  EXPECT_TRUE(One("SELECT * FROM t WHERE id = 1 OR id = 2").accesses[0].filters.empty());
  EXPECT_TRUE(One("SELECT * FROM t WHERE id > 1").accesses[0].filters.empty());
  EXPECT_TRUE(One("SELECT * FROM t WHERE id = other_id").accesses[0].filters.empty());
  EXPECT_TRUE(Find(One("SELECT * FROM t WHERE id = (SELECT max(k) FROM u)"), "t", Command::kSelect)
                  ->filters.empty());
  // A scalar subquery without FROM is its expression's value.
  EXPECT_EQ(
      Render(Find(One("SELECT * FROM t WHERE id = (SELECT 1)"), "t", Command::kSelect)->filters),
      Strings{"id=(SELECT 1)"});
  // In a join, an unqualified column is not attributed to either side; qualified ones are.
  AnalyzedStatement join =
      One("SELECT * FROM t JOIN u ON u.id = t.id WHERE tenant_id = $1 AND u.k = 2 AND t.id = 4");
  EXPECT_EQ(Render(Find(join, "t", Command::kSelect)->filters), Strings{"id=4"});
  EXPECT_EQ(Render(Find(join, "u", Command::kSelect)->filters), Strings{"k=2"});
}

TEST(StatementAnalyzer, CopyBothDirections) {
  EXPECT_EQ(Accesses(One("COPY t TO STDOUT")), Strings{"t:copy_to"});
  EXPECT_EQ(Accesses(One("COPY t (id, val) FROM STDIN WITH (FORMAT csv)")), Strings{"t:copy_from"});
  EXPECT_EQ(Accesses(One("COPY (SELECT * FROM t WHERE id = 1) TO STDOUT")), Strings{"t:select"});
}

TEST(StatementAnalyzer, MergeActionsWithTheSourcesValues) {
  AnalyzedStatement st =
      One("MERGE INTO t USING (VALUES ($1, $2)) AS s(id, v) ON t.id = s.id "
          "WHEN MATCHED AND s.v = 'gone' THEN DELETE "
          "WHEN MATCHED THEN UPDATE SET val = s.v, tenant_id = t.tenant_id "
          "WHEN NOT MATCHED THEN INSERT VALUES (s.id, DEFAULT, upper(v)) "
          "WHEN NOT MATCHED THEN DO NOTHING");
  const TableAccess* target = Find(st, "t", Command::kMerge);
  ASSERT_NE(target, nullptr);
  EXPECT_TRUE(target->unsupported.empty());
  ASSERT_EQ(target->merge_actions.size(), 3u);  // DO NOTHING writes nothing
  const TableAccess& del = target->merge_actions[0];
  EXPECT_EQ(del.command, Command::kDelete);
  EXPECT_TRUE(del.merge_matched);
  EXPECT_EQ(del.relname, "t");
  const TableAccess& update = target->merge_actions[1];
  EXPECT_EQ(update.command, Command::kUpdate);
  ASSERT_EQ(update.assignments.size(), 2u);
  EXPECT_EQ(ExprToString(*update.assignments[0].second), "$2");  // s.v
  EXPECT_EQ(ExprToString(*update.assignments[1].second), "t.tenant_id");
  const TableAccess& insert = target->merge_actions[2];
  EXPECT_EQ(insert.command, Command::kInsert);
  EXPECT_FALSE(insert.merge_matched);
  ASSERT_EQ(insert.rows.size(), 1u);
  ASSERT_EQ(insert.rows[0].size(), 3u);
  EXPECT_EQ(insert.rows[0][0].first, "#0");  // no column list: by position
  EXPECT_EQ(ExprToString(*insert.rows[0][0].second), "$1");
  EXPECT_EQ(insert.rows[0][1].second, nullptr);                     // DEFAULT
  EXPECT_EQ(ExprToString(*insert.rows[0][2].second), "upper($2)");  // v alone is the source's
  // A table as the source: its columns stay its own.
  AnalyzedStatement from_table =
      One("MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET val = s.val");
  const TableAccess* merge = Find(from_table, "t", Command::kMerge);
  ASSERT_NE(merge, nullptr);
  ASSERT_EQ(merge->merge_actions.size(), 1u);
  EXPECT_EQ(ExprToString(*merge->merge_actions[0].assignments[0].second), "s.val");
  EXPECT_NE(Find(from_table, "s", Command::kSelect), nullptr);
}

TEST(StatementAnalyzer, Truncate) {
  EXPECT_EQ(Accesses(One("TRUNCATE t, app.u")), (Strings{"t:truncate", "app.u:truncate"}));
}

TEST(StatementAnalyzer, ExplainAnalyzeExecutesPlainExplainDoesNot) {
  EXPECT_EQ(Accesses(One("EXPLAIN ANALYZE SELECT * FROM t")), Strings{"t:select"});
  EXPECT_EQ(Accesses(One("EXPLAIN (ANALYZE) DELETE FROM t")), Strings{"t:delete"});
}

// --- settings
// -------------------------------------------------------------------------------------

TEST(StatementAnalyzer, SetConfigCallsAnywhereInTheStatement) {
  AnalyzedStatement st = One("SELECT set_config('app.current_tenant_id', $1, false)");
  ASSERT_EQ(st.settings.size(), 1u);
  const SettingChange& c = st.settings[0];
  EXPECT_EQ(c.kind, SettingChange::Kind::kSetConfig);
  EXPECT_EQ(ExprToString(*c.name_expr), "'app.current_tenant_id'");
  EXPECT_EQ(ExprToString(*c.value), "$1");
  EXPECT_EQ(ExprToString(*c.is_local_expr), "false");
  AnalyzedStatement nested =
      One("SELECT * FROM t WHERE pg_catalog.set_config('app.x', 'a', true) IS NOT NULL");
  ASSERT_EQ(nested.settings.size(), 1u);
  EXPECT_EQ(nested.settings[0].kind, SettingChange::Kind::kSetConfig);
  EXPECT_EQ(nested.accesses.size(), 1u);
}

TEST(StatementAnalyzer, SetResetDiscard) {
  AnalyzedStatement set = One("SET app.current_tenant_id = 'abc'");
  ASSERT_EQ(set.settings.size(), 1u);
  EXPECT_EQ(set.settings[0].kind, SettingChange::Kind::kSet);
  EXPECT_EQ(set.settings[0].name, "app.current_tenant_id");
  EXPECT_FALSE(set.settings[0].is_local);
  EXPECT_EQ(ExprToString(*set.settings[0].value), "'abc'");

  AnalyzedStatement local = One("SET LOCAL App.X TO 'v'");
  EXPECT_TRUE(local.settings[0].is_local);
  EXPECT_EQ(local.settings[0].name, "app.x");  // lower-cased

  EXPECT_EQ(One("RESET app.x").settings[0].kind, SettingChange::Kind::kReset);
  EXPECT_EQ(One("SET app.x TO DEFAULT").settings[0].kind, SettingChange::Kind::kReset);
  EXPECT_EQ(One("RESET ALL").settings[0].kind, SettingChange::Kind::kResetAll);
  EXPECT_EQ(One("DISCARD ALL").settings[0].kind, SettingChange::Kind::kDiscardAll);
  EXPECT_TRUE(One("DISCARD PLANS").settings.empty());
  EXPECT_TRUE(One("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE").settings.empty());
}

// libpg_query 15-4.0 writes a negative integer constant as an empty object (read as 0); PgTree
// restores it from the text. PostgreSQL 15.18: SET app.x = -5 shows -5, and the constants below
// are -1, -22, -3, 0 and -7.
TEST(StatementAnalyzer, NegativeIntegerConstantsKeepTheirValue) {
  EXPECT_EQ(ExprToString(*One("SET app.x = -5").settings[0].value), "-5");
  AnalyzedStatement st =
      One("SELECT * FROM t WHERE a = -1 AND b = - 22 AND c = -(3) AND d = 0 AND e = -007");
  ASSERT_EQ(st.accesses.size(), 1u);
  EXPECT_EQ(Render(st.accesses[0].filters), (Strings{"a=-1", "b=-22", "c=-3", "d=0", "e=-7"}));
}

TEST(StatementAnalyzer, SetRoleAndSessionAuthorization) {
  AnalyzedStatement role = One("SET ROLE app_role");
  ASSERT_EQ(role.settings.size(), 1u);
  EXPECT_EQ(role.settings[0].name, "role");
  EXPECT_EQ(ExprToString(*role.settings[0].value), "'app_role'");
  EXPECT_TRUE(One("SET LOCAL ROLE app_role").settings[0].is_local);
  AnalyzedStatement reset = One("RESET ROLE");
  EXPECT_EQ(reset.settings[0].kind, SettingChange::Kind::kReset);
  EXPECT_EQ(reset.settings[0].name, "role");
  AnalyzedStatement auth = One("SET SESSION AUTHORIZATION app_role");
  ASSERT_EQ(auth.settings.size(), 1u);
  EXPECT_EQ(auth.settings[0].name, "session_authorization");
  EXPECT_EQ(ExprToString(*auth.settings[0].value), "'app_role'");
  EXPECT_EQ(One("RESET SESSION AUTHORIZATION").settings[0].name, "session_authorization");
}

// --- transactions
// ---------------------------------------------------------------------------------

TEST(StatementAnalyzer, TransactionStatements) {
  EXPECT_EQ(One("BEGIN").txn, TxnAction::kBegin);
  EXPECT_EQ(One("START TRANSACTION ISOLATION LEVEL REPEATABLE READ").txn, TxnAction::kBegin);
  EXPECT_EQ(One("COMMIT").txn, TxnAction::kCommit);
  EXPECT_EQ(One("END").txn, TxnAction::kCommit);
  EXPECT_EQ(One("ROLLBACK").txn, TxnAction::kRollback);
  EXPECT_EQ(One("ABORT").txn, TxnAction::kRollback);
  AnalyzedStatement chain = One("COMMIT AND CHAIN");
  EXPECT_EQ(chain.txn, TxnAction::kCommit);
  EXPECT_TRUE(chain.txn_chain);
  EXPECT_FALSE(One("COMMIT").txn_chain);
  for (const char* sql : {"SAVEPOINT s1", "ROLLBACK TO s1", "ROLLBACK TO SAVEPOINT s1",
                          "RELEASE s1", "RELEASE SAVEPOINT s1"}) {
    EXPECT_EQ(One(sql).savepoint, "s1") << sql;
  }
  EXPECT_EQ(One("SAVEPOINT s1").txn, TxnAction::kSavepoint);
  EXPECT_EQ(One("ROLLBACK TO SAVEPOINT s1").txn, TxnAction::kRollbackTo);
  EXPECT_EQ(One("RELEASE s1").txn, TxnAction::kRelease);
}

TEST(StatementAnalyzer, MultiStatementText) {
  AnalyzedText t = AnalyzeSql("BEGIN; SET LOCAL app.x = 'a'; SELECT * FROM t; COMMIT;");
  ASSERT_TRUE(t.parsed);
  ASSERT_EQ(t.statements.size(), 4u);
  EXPECT_EQ(t.statements[0].txn, TxnAction::kBegin);
  EXPECT_EQ(t.statements[1].settings.size(), 1u);
  EXPECT_EQ(Accesses(t.statements[2]), Strings{"t:select"});
  EXPECT_EQ(t.statements[3].txn, TxnAction::kCommit);
}

TEST(StatementAnalyzer, SyntaxErrorIsNotParsed) {
  AnalyzedText t = AnalyzeSql("SELEC * FROM t");
  EXPECT_FALSE(t.parsed);
  EXPECT_NE(t.parse_error.find("syntax error"), std::string::npos) << t.parse_error;
}

// --- the shape cache ----------------------------------------------------------------------------

TEST(StatementAnalyzerCache, TextsDifferingOnlyInLiteralsShareOneParse) {
  StatementAnalyzer analyzer;
  std::vector<std::optional<std::string>> p1, p2;
  auto a = analyzer.Analyze("SELECT * FROM t WHERE id = 5 AND val = 'x' /*lane='a'*/", &p1);
  auto b = analyzer.Analyze("SELECT * FROM t WHERE id = 7 AND val = 'it''s' /*lane='b'*/", &p2);
  EXPECT_EQ(a.get(), b.get());
  EXPECT_EQ(analyzer.cache_misses(), 1u);
  EXPECT_EQ(analyzer.cache_hits(), 1u);
  EXPECT_EQ(p1, (std::vector<std::optional<std::string>>{"5", "x"}));
  EXPECT_EQ(p2, (std::vector<std::optional<std::string>>{"7", "it's"}));
  // The cached analysis refers to the lifted literals as parameters.
  EXPECT_EQ(Render(a->statements[0].accesses[0].filters), (Strings{"id=$1", "val=$2"}));
}

TEST(StatementAnalyzerCache, LiteralsAreAppendedAfterBoundParameters) {
  StatementAnalyzer analyzer;
  std::vector<std::optional<std::string>> params{std::string("T")};
  auto a = analyzer.Analyze("UPDATE t SET val = 'new' WHERE tenant_id = $1 AND id = 3", &params);
  EXPECT_EQ(params, (std::vector<std::optional<std::string>>{"T", "new", "3"}));
  const TableAccess& acc = a->statements[0].accesses[0];
  EXPECT_EQ(Render(acc.assignments), Strings{"val=$2"});
  EXPECT_EQ(Render(acc.filters), (Strings{"tenant_id=$1", "id=$3"}));
}

TEST(StatementAnalyzerCache, SpellingsOfOneStatementShareOneParse) {
  // A trailing semicolon, a comment at either end, blanks around: one shape, one parse.
  StatementAnalyzer analyzer;
  std::vector<std::optional<std::string>> params;
  auto first = analyzer.Analyze("SELECT val FROM t WHERE id = 1", &params);
  for (const char* sql : {"SELECT val FROM t WHERE id = 2;", "SELECT val FROM t WHERE id = 3 /*x*/",
                          "/* trace */ SELECT val FROM t WHERE id = 4 ;\n"}) {
    params.clear();
    EXPECT_EQ(analyzer.Analyze(sql, &params).get(), first.get()) << sql;
    EXPECT_EQ(params.size(), 1u) << sql;
  }
  EXPECT_EQ(analyzer.cache_misses(), 1u);
  EXPECT_EQ(analyzer.cache_hits(), 3u);
}

TEST(StatementAnalyzerCache, AnInvalidTextLendsNoAnalysisToAValidOne) {
  // An unterminated comment makes the first text invalid, for PostgreSQL and for the parser;
  // the same statement without it is valid and must be analysed as such.
  StatementAnalyzer analyzer;
  std::vector<std::optional<std::string>> params;
  auto bad = analyzer.Analyze("SELECT val FROM t /* unterminated", &params);
  EXPECT_FALSE(bad->parsed);
  auto good = analyzer.Analyze("SELECT val FROM t", &params);
  ASSERT_TRUE(good->parsed);
  ASSERT_EQ(good->statements.size(), 1u);
  EXPECT_EQ(good->statements[0].accesses.size(), 1u);
}

TEST(StatementAnalyzerCache, ShapeThatDoesNotParseFallsBackToTheText) {
  // libpg_query's grammar takes $n where PostgreSQL's wants a literal in most places (it is
  // built for query normalisation): SET x = $1 and INTERVAL $1 parse, the value then comes
  // from the lifted literal appended to the parameters.
  StatementAnalyzer analyzer;
  std::vector<std::optional<std::string>> params;
  auto set = analyzer.Analyze("SET app.current_tenant_id = 'abc'", &params);
  ASSERT_TRUE(set->parsed);
  EXPECT_EQ(params, (std::vector<std::optional<std::string>>{"abc"}));
  EXPECT_EQ(ExprToString(*set->statements[0].settings[0].value), "$1");
  params.clear();
  auto interval = analyzer.Analyze(
      "DELETE FROM t WHERE created < now() - INTERVAL '1 day' AND id = 4", &params);
  ASSERT_TRUE(interval->parsed);
  EXPECT_EQ(params, (std::vector<std::optional<std::string>>{"1 day", "4"}));
  EXPECT_EQ(Render(interval->statements[0].accesses[0].filters), Strings{"id=$2"});

  // A type modifier must be a literal even for libpg_query: the shape does not parse, and the
  // text is analysed as written, lifting nothing.
  params.clear();
  auto a = analyzer.Analyze("SELECT * FROM t WHERE val = 'a'::varchar(10) AND id = 4", &params);
  ASSERT_TRUE(a->parsed);
  EXPECT_TRUE(params.empty());
  EXPECT_EQ(Render(a->statements[0].accesses[0].filters), (Strings{"val='a'::text", "id=4"}));
  // Same shape, other literals: analysed from its own text, not from the first one's.
  auto b = analyzer.Analyze("SELECT * FROM t WHERE val = 'b'::varchar(10) AND id = 5", &params);
  ASSERT_TRUE(b->parsed);
  EXPECT_TRUE(params.empty());
  EXPECT_EQ(Render(b->statements[0].accesses[0].filters), (Strings{"val='b'::text", "id=5"}));
}

TEST(StatementAnalyzerCache, UnloggedParametersParseAsWritten) {
  // $1 in the text but no parameter logged: literals cannot be numbered after it safely.
  StatementAnalyzer analyzer;
  std::vector<std::optional<std::string>> params;
  auto a = analyzer.Analyze("SELECT * FROM t WHERE id = $1 AND val = 'x'", &params);
  ASSERT_TRUE(a->parsed);
  EXPECT_TRUE(params.empty());
  EXPECT_EQ(Render(a->statements[0].accesses[0].filters), (Strings{"id=$1", "val='x'"}));
}

TEST(StatementAnalyzerCache, ATextWithoutLiteralsIsFoundAgainAsWritten) {
  // Found by its exact text the second time: the same analysis, its shape (comment dropped)
  // as last_shape_text(), and nothing lifted.
  StatementAnalyzer analyzer;
  const std::string sql = "SELECT * FROM t WHERE tenant_id = $1 /*lane='a'*/";
  std::vector<std::optional<std::string>> params{std::string("T")};
  auto first = analyzer.Analyze(sql, &params);
  const std::string shape(analyzer.last_shape_text());
  analyzer.Analyze("SELECT * FROM t WHERE id = 5", &params);  // another last shape between
  params = {std::string("T")};
  auto again = analyzer.Analyze(sql, &params);
  EXPECT_EQ(again.get(), first.get());
  EXPECT_EQ(analyzer.last_shape_text(), shape);
  EXPECT_EQ(shape, "SELECT * FROM t WHERE tenant_id = $1");
  EXPECT_EQ(params, (std::vector<std::optional<std::string>>{"T"}));
  EXPECT_EQ(analyzer.cache_misses(), 2u);
  EXPECT_EQ(analyzer.cache_hits(), 1u);
}

TEST(StatementAnalyzerCache, TextsFoundAsWrittenSurviveTheShapeCacheFilling) {
  // The shape cache starts afresh when full; a text found as written must not then name a
  // shape that is gone, or another that took its number. Texts with literals fill the shape
  // cache without being remembered as written.
  StatementAnalyzer analyzer(/*max_cache_entries=*/2);
  std::vector<std::optional<std::string>> params;
  auto relname = [&](const std::string& sql) {
    params.clear();
    auto analyzed = analyzer.Analyze(sql, &params);
    return analyzed->parsed ? analyzed->statements[0].accesses[0].relname : std::string("?");
  };
  EXPECT_EQ(relname("SELECT * FROM a"), "a");
  EXPECT_EQ(relname("SELECT * FROM x WHERE id = 1"), "x");
  EXPECT_EQ(relname("SELECT * FROM y WHERE id = 1"), "y");  // the shape cache starts afresh
  EXPECT_EQ(relname("SELECT * FROM a"), "a");
  EXPECT_EQ(analyzer.last_shape_text(), "SELECT * FROM a");
}

TEST(StatementAnalyzerCache, UnparsableTextIsReportedNotThrown) {
  StatementAnalyzer analyzer;
  std::vector<std::optional<std::string>> params;
  EXPECT_FALSE(analyzer.Analyze("SELEC 1", &params)->parsed);
  EXPECT_FALSE(analyzer.Analyze("SELEC 1", &params)->parsed);
}

}  // namespace
}  // namespace rls_shadow
