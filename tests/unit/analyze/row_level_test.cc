// Row-level verdicts from the change stream (issue #3): the ownership index for statements that
// address rows by primary key, writes decided by the rows they changed (linked by xid or by
// evidence), the membership replica for policy subqueries, and the index's persistence.

#include <gtest/gtest.h>

#include "analyze/row_index.h"
#include "unit/analyze/change_events.h"
#include "unit/analyze/engine_harness.h"

namespace rls_shadow::testing_analyze {
namespace {

constexpr int64_t kWindowUs = 60'000'000;

TEST(RowLevel, ReadByPrimaryKeyUsesTheRowsTenant) {
  EngineHarness h;
  h.engine().EnableChanges(kWindowUs);
  Commit(h.engine(), 500, 1, {InsertT(7, kT2, 500), InsertT(8, kT1, 500)});
  h.Exec(std::string("SET app.current_tenant_id = '") + kT1 + "'");
  Finding other = h.Verdict("SELECT val FROM t WHERE id = 7", "public.t");
  EXPECT_EQ(other.effect, Effect::kFiltered);
  EXPECT_EQ(other.cause, Cause::kWrongTenant);
  EXPECT_EQ(h.Verdict("SELECT val FROM t WHERE id = $1", "public.t", {"8"}).effect, Effect::kAllow);
  // A key the index does not hold stays undecided.
  EXPECT_EQ(h.Verdict("SELECT val FROM t WHERE id = 9", "public.t").effect, Effect::kRowDependent);
}

TEST(RowLevel, ReadsByKeyListUseEachRowsTenant) {
  EngineHarness h;
  h.engine().EnableChanges(kWindowUs);
  Commit(h.engine(), 500, 1, {InsertT(7, kT2, 500), InsertT(8, kT1, 500), InsertT(9, kT1, 500)});
  h.Exec(std::string("SET app.current_tenant_id = '") + kT1 + "'");
  EXPECT_EQ(h.Verdict("SELECT val FROM t WHERE id IN (8, 9)", "public.t").effect, Effect::kAllow);
  Finding f = h.Verdict("SELECT val FROM t WHERE id = ANY($1)", "public.t", {"{8,7}"});
  EXPECT_EQ(f.effect, Effect::kFiltered);
  EXPECT_EQ(f.cause, Cause::kWrongTenant);
  // Key 10 is not kept (and the copy is not complete): it might be another tenant's.
  EXPECT_EQ(h.Verdict("SELECT val FROM t WHERE id = ANY($1)", "public.t", {"{8,10}"}).effect,
            Effect::kRowDependent);
  // A failing row that is surely read decides even so.
  EXPECT_EQ(h.Verdict("SELECT val FROM t WHERE id IN (7, 10)", "public.t").effect,
            Effect::kFiltered);
}

TEST(RowLevel, WithoutTheChangeStreamKeyedReadsStayRowDependent) {
  EngineHarness h;
  h.Exec(std::string("SET app.current_tenant_id = '") + kT1 + "'");
  EXPECT_EQ(h.Verdict("SELECT val FROM t WHERE id = 7", "public.t").effect, Effect::kRowDependent);
}

TEST(RowLevel, AutocommitUpdateIsDecidedByTheRowsItChanged) {
  EngineHarness h;
  h.engine().EnableChanges(kWindowUs);
  Commit(h.engine(), 500, 1, {InsertT(7, kT2, 500), InsertT(8, kT1, 500)});
  h.Exec(std::string("SET app.current_tenant_id = '") + kT1 + "'");
  // Not addressed by key: only the changed rows tell. It changed tenant T2's row 7.
  int64_t line = h.Exec("UPDATE t SET val = 'b' WHERE val = 'a' AND id > 6");
  h.Exec("SELECT 1");  // completes the UPDATE
  const int64_t commit_time = h.NextTime() - 1;
  Commit(h.engine(), 501, commit_time,
         {Change(ChangeAction::kUpdate, 501, commit_time, "t",
                 {Col("id", "7"), Col("tenant_id", kT2), Col("val", "b")}, {Col("id", "7")})});
  Finding f = h.On(line, "public.t");
  EXPECT_EQ(f.effect, Effect::kFiltered);
  EXPECT_EQ(f.cause, Cause::kWrongTenant);
  ASSERT_NE(h.engine().join_stats(), nullptr);
  EXPECT_EQ(h.engine().join_stats()->linked, 1u);
  EXPECT_EQ(h.engine().join_stats()->writes_decided, 1u);
}

TEST(RowLevel, OwnRowsOnlyIsAllowed) {
  EngineHarness h;
  h.engine().EnableChanges(kWindowUs);
  Commit(h.engine(), 500, 1, {InsertT(8, kT1, 500)});
  h.Exec(std::string("SET app.current_tenant_id = '") + kT1 + "'");
  int64_t line = h.Exec("UPDATE t SET val = 'b' WHERE val = 'a'");
  h.Exec("SELECT 1");
  const int64_t t = h.NextTime() - 1;
  Commit(h.engine(), 501, t,
         {Change(ChangeAction::kUpdate, 501, t, "t",
                 {Col("id", "8"), Col("tenant_id", kT1), Col("val", "b")}, {Col("id", "8")})});
  EXPECT_EQ(h.On(line, "public.t").effect, Effect::kAllow);
}

TEST(RowLevel, TransactionBlockLinksByTheXidOfItsCommitLine) {
  EngineHarness h;
  h.engine().EnableChanges(kWindowUs);
  Commit(h.engine(), 500, 1, {InsertT(7, kT2, 500)});
  h.Exec("BEGIN");
  h.Exec(std::string("SET LOCAL app.current_tenant_id = '") + kT1 + "'");
  int64_t line = h.Exec("DELETE FROM t WHERE val = 'a'");
  h.SetTxid(777);  // the DELETE assigned the xid: COMMIT's line carries it
  h.Exec("COMMIT");
  h.SetTxid(0);
  h.Exec("SELECT 1");
  const int64_t t = h.NextTime() - 1;
  // Another transaction that happens to fit as well, first: the xid decides.
  Commit(h.engine(), 776, t, {Change(ChangeAction::kDelete, 776, t, "t", {}, {Col("id", "8")})});
  Commit(h.engine(), 777, t, {Change(ChangeAction::kDelete, 777, t, "t", {}, {Col("id", "7")})});
  Finding f = h.On(line, "public.t");
  EXPECT_EQ(f.effect, Effect::kFiltered);
  EXPECT_EQ(f.tenant, kT1);
  EXPECT_EQ(h.engine().join_stats()->linked, 1u);
  EXPECT_EQ(h.engine().join_stats()->unlinked, 2u);  // the seed row and transaction 776
}

TEST(RowLevel, InsertedRowOfAnotherTenantIsAnError) {
  EngineHarness h;
  h.engine().EnableChanges(kWindowUs);
  h.Exec(std::string("SET app.current_tenant_id = '") + kT1 + "'");
  // The tenant comes from a subselect: unknown from the text.
  int64_t line = h.Exec("INSERT INTO t SELECT id + 100, tenant_id, val FROM t_nf");
  h.Exec("SELECT 1");
  const int64_t t = h.NextTime() - 1;
  Commit(h.engine(), 600, t, {InsertT(107, kT2, 600, t)});
  Finding f = h.On(line, "public.t");
  EXPECT_EQ(f.effect, Effect::kError);
  EXPECT_EQ(f.sqlstate, "42501");
}

TEST(RowLevel, AGroupOfWritesClaimsOnlyATransactionThatAccountsForThem) {
  EngineHarness h;
  h.engine().EnableChanges(kWindowUs);
  h.Exec(std::string("SET app.current_tenant_id = '") + kT1 + "'");
  // Two rows inserted with values the text does not show (a subselect), then one row whose
  // values it does: the one-row transaction is not the two-row statement's.
  int64_t two = h.Exec("INSERT INTO t SELECT id + 100, tenant_id, val FROM t_nf");
  h.Exec("SELECT 1");
  h.Exec(std::string("SET app.current_tenant_id = '") + kT1 + "'", {}, "s2");
  int64_t one = h.Exec(std::string("INSERT INTO t VALUES (5, '") + kT1 + "', 'a')", {}, "s2");
  h.Exec("SELECT 1", {}, "s2");
  const int64_t t = h.NextTime() - 1;
  Commit(h.engine(), 601, t, {InsertT(5, kT1, 601, t)});
  Commit(h.engine(), 600, t, {InsertT(107, kT2, 600, t), InsertT(108, kT1, 600, t)});
  EXPECT_EQ(h.On(two, "public.t").effect, Effect::kError);
  EXPECT_EQ(h.On(one, "public.t", "s2").effect, Effect::kAllow);
  EXPECT_EQ(h.engine().join_stats()->linked, 3u);
}

TEST(RowLevel, ChangesThatArriveBeforeTheirStatementWaitForIt) {
  EngineHarness h;
  h.engine().EnableChanges(kWindowUs);
  Commit(h.engine(), 500, 1, {InsertT(7, kT2, 500)});
  // The change stream is ahead of the log (separate Kafka partitions, say): the transaction
  // waits, within the window, for the statement that made it.
  const int64_t t = h.NextTime() + 2;
  Commit(h.engine(), 501, t,
         {Change(ChangeAction::kUpdate, 501, t, "t",
                 {Col("id", "7"), Col("tenant_id", kT2), Col("val", "b")}, {Col("id", "7")})});
  h.Exec(std::string("SET app.current_tenant_id = '") + kT1 + "'");
  int64_t line = h.Exec("UPDATE t SET val = 'b' WHERE val = 'a'");
  h.Exec("SELECT 1");
  EXPECT_EQ(h.On(line, "public.t").effect, Effect::kFiltered);
  EXPECT_EQ(h.engine().join_stats()->writes_decided, 1u);
}

TEST(RowLevel, ATransactionPastTheWindowIsGivenUp) {
  EngineHarness h;
  h.engine().EnableChanges(/*window_us=*/10);
  Commit(h.engine(), 501, 1,
         {Change(ChangeAction::kUpdate, 501, 1, "t",
                 {Col("id", "7"), Col("tenant_id", kT2), Col("val", "b")}, {Col("id", "7")})});
  h.Exec(std::string("SET app.current_tenant_id = '") + kT1 + "'");
  int64_t line = h.Exec("UPDATE t SET val = 'b' WHERE val = 'a'");
  EXPECT_EQ(h.On(line, "public.t").effect, Effect::kRowDependent);
  EXPECT_EQ(h.engine().join_stats()->unlinked, 1u);
}

TEST(RowLevel, WriteWhoseRowsNeverArriveKeepsItsTextVerdict) {
  EngineHarness h;
  h.engine().EnableChanges(kWindowUs);
  h.Exec(std::string("SET app.current_tenant_id = '") + kT1 + "'");
  int64_t line = h.Exec("UPDATE t SET val = 'b' WHERE val = 'a'");
  Finding f = h.On(line, "public.t");  // Finish: settled with what is known
  EXPECT_EQ(f.effect, Effect::kRowDependent);
  EXPECT_EQ(h.engine().join_stats()->writes_unlinked, 1u);
}

TEST(RowLevel, EvidenceRejectsAChangeWithOtherValues) {
  EngineHarness h;
  h.engine().EnableChanges(kWindowUs);
  h.Exec(std::string("SET app.current_tenant_id = '") + kT1 + "'");
  int64_t line = h.Exec("UPDATE t SET val = 'b' WHERE val = 'a'");
  h.Exec("SELECT 1");
  const int64_t t = h.NextTime() - 1;
  // The change set val to 'zzz': not this statement's.
  Commit(h.engine(), 501, t,
         {Change(ChangeAction::kUpdate, 501, t, "t",
                 {Col("id", "7"), Col("tenant_id", kT2), Col("val", "zzz")}, {Col("id", "7")})});
  EXPECT_EQ(h.On(line, "public.t").effect, Effect::kRowDependent);
}

// public.t's copy made complete (as a seed or a TRUNCATE does), holding T2's row 7 and T1's 8.
void CompleteT(ShadowEngine& engine) {
  engine.OnChange(TruncateT());
  Commit(engine, 500, 1, {InsertT(7, kT2, 500), InsertT(8, kT1, 500)});
}

TEST(RowLevel, ReadsOfACompletelyKnownTableAreDecidedOverItsRows) {
  EngineHarness h;
  h.engine().EnableChanges(kWindowUs);
  CompleteT(h.engine());
  h.Exec(std::string("SET app.current_tenant_id = '") + kT1 + "'");
  Finding all = h.Verdict("SELECT val FROM t", "public.t");
  EXPECT_EQ(all.effect, Effect::kFiltered);
  EXPECT_EQ(all.cause, Cause::kWrongTenant);
  // Every row that may match passes.
  EXPECT_EQ(h.Verdict(std::string("SELECT val FROM t WHERE tenant_id = '") + kT1 + "'", "public.t")
                .effect,
            Effect::kAllow);
  // LIMIT may stop before the other tenant's row: the rows cannot tell.
  EXPECT_EQ(h.Verdict("SELECT val FROM t ORDER BY id LIMIT 1", "public.t").effect,
            Effect::kRowDependent);
  // val is not kept in the index: the filter may match any row.
  EXPECT_EQ(h.Verdict("SELECT val FROM t WHERE val = 'a'", "public.t").effect,
            Effect::kRowDependent);
}

TEST(RowLevel, ReadsOfAPartlyKnownTableStayRowDependent) {
  EngineHarness h;
  h.engine().EnableChanges(kWindowUs);
  Commit(h.engine(), 500, 1, {InsertT(8, kT1, 500)});  // no truncate or seed: not complete
  h.Exec(std::string("SET app.current_tenant_id = '") + kT1 + "'");
  EXPECT_EQ(h.Verdict("SELECT val FROM t", "public.t").effect, Effect::kRowDependent);
}

TEST(RowLevel, ATransactionThatWroteDoesNotTrustTheIndex) {
  EngineHarness h;
  h.engine().EnableChanges(kWindowUs);
  CompleteT(h.engine());
  h.Exec("BEGIN");
  h.Exec(std::string("SET LOCAL app.current_tenant_id = '") + kT1 + "'");
  h.Exec(std::string("UPDATE t SET tenant_id = '") + kT1 + "' WHERE val = 'zz'");
  // Its own uncommitted change may have moved row 7: the committed copy cannot say.
  int64_t line = h.Exec("SELECT val FROM t WHERE id = 7");
  h.Exec("COMMIT");
  EXPECT_EQ(h.On(line, "public.t").effect, Effect::kRowDependent);
}

constexpr char kMembershipCatalog[] =
    "CREATE ROLE app_role;\n"
    "CREATE TABLE org_members (org_id uuid NOT NULL, user_id uuid NOT NULL,\n"
    "  PRIMARY KEY (org_id, user_id));\n"
    "CREATE TABLE docs (id int PRIMARY KEY, org_id uuid NOT NULL, body text);\n"
    "ALTER TABLE docs ENABLE ROW LEVEL SECURITY;\n"
    "ALTER TABLE docs FORCE ROW LEVEL SECURITY;\n"
    "CREATE POLICY members ON docs USING (org_id IN (SELECT org_id FROM org_members\n"
    "  WHERE user_id = current_setting('app.user_id', true)::uuid));\n";
constexpr char kUser[] = "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa";
constexpr char kOrgA[] = "0a000000-0000-0000-0000-000000000000";
constexpr char kOrgB[] = "0b000000-0000-0000-0000-000000000000";

void SeedMembers(ShadowEngine& engine, bool complete) {
  if (complete) {
    ChangeEvent truncate;
    truncate.action = ChangeAction::kTruncate;
    truncate.truncated = {"public.org_members"};
    engine.OnChange(truncate);
  }
  engine.OnChange(Change(ChangeAction::kSnapshot, 0, 1, "org_members",
                         {Col("org_id", kOrgA), Col("user_id", kUser)}));
}

TEST(RowLevel, MembershipSubqueryIsDecidedByTheReplica) {
  EngineHarness h(kMembershipCatalog);
  h.engine().EnableChanges(kWindowUs);
  SeedMembers(h.engine(), /*complete=*/true);
  h.Exec(std::string("SET app.user_id = '") + kUser + "'");
  EXPECT_EQ(
      h.Verdict(std::string("INSERT INTO docs VALUES (1, '") + kOrgA + "', 'x')", "public.docs")
          .effect,
      Effect::kAllow);
  Finding f =
      h.Verdict(std::string("INSERT INTO docs VALUES (2, '") + kOrgB + "', 'x')", "public.docs");
  EXPECT_EQ(f.effect, Effect::kError);
  EXPECT_EQ(f.sqlstate, "42501");
}

TEST(RowLevel, MembershipOnAnIncompleteReplicaDecidesOnlyMembers) {
  EngineHarness h(kMembershipCatalog);
  h.engine().EnableChanges(kWindowUs);
  SeedMembers(h.engine(), /*complete=*/false);
  h.Exec(std::string("SET app.user_id = '") + kUser + "'");
  EXPECT_EQ(
      h.Verdict(std::string("INSERT INTO docs VALUES (1, '") + kOrgA + "', 'x')", "public.docs")
          .effect,
      Effect::kAllow);
  Finding f =
      h.Verdict(std::string("INSERT INTO docs VALUES (2, '") + kOrgB + "', 'x')", "public.docs");
  EXPECT_EQ(f.effect, Effect::kIndeterminate);
  EXPECT_NE(f.detail.find("not every row"), std::string::npos) << f.detail;
}

TEST(RowLevel, MembershipWithoutReplicaIsIndeterminate) {
  EngineHarness h(kMembershipCatalog);
  h.Exec(std::string("SET app.user_id = '") + kUser + "'");
  Finding f =
      h.Verdict(std::string("INSERT INTO docs VALUES (1, '") + kOrgA + "', 'x')", "public.docs");
  EXPECT_EQ(f.effect, Effect::kIndeterminate);
  EXPECT_EQ(f.detail, "subquery");
}

TEST(RowIndexTest, KeepsPolicyColumnsFollowsKeyChangesAndPersists) {
  PolicyCatalog catalog;
  ASSERT_TRUE(catalog.Apply(SemanticsCatalogSql(), "catalog.sql").ok());
  RowIndex index(catalog);
  EXPECT_TRUE(index.Tracks("public.t"));
  EXPECT_FALSE(index.Tracks("public.plain"));  // no RLS, no key
  ASSERT_TRUE(index.Apply(InsertT(1, kT1)));
  const StoredRow* row = index.Find("public.t", {"1"});
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->at("tenant_id"), std::optional<std::string>(kT1));
  EXPECT_EQ(row->count("val"), 0u);  // no policy reads it
  // The key changes: the row moves.
  ASSERT_TRUE(index.Apply(Change(ChangeAction::kUpdate, 2, 2, "t",
                                 {Col("id", "2"), Col("tenant_id", kT2)}, {Col("id", "1")})));
  EXPECT_EQ(index.Find("public.t", {"1"}), nullptr);
  ASSERT_NE(index.Find("public.t", {"2"}), nullptr);
  EXPECT_EQ(index.Find("public.t", {"2"})->at("tenant_id"), std::optional<std::string>(kT2));
  // A row without its key cannot be indexed.
  EXPECT_FALSE(index.Apply(Change(ChangeAction::kDelete, 3, 3, "t", {}, {})));
  ASSERT_TRUE(index.Apply(TruncateT()));
  EXPECT_TRUE(index.Complete("public.t"));
  ASSERT_TRUE(index.Apply(InsertT(5, kT1)));

  RowIndex restored(catalog);
  StoredRows stored;
  stored.Add(index.TakeChanges());
  ASSERT_TRUE(stored.RestoreInto(restored));
  EXPECT_TRUE(restored.Complete("public.t"));
  EXPECT_EQ(restored.row_count(), 1u);
  ASSERT_NE(restored.Find("public.t", {"5"}), nullptr);
  EXPECT_TRUE(index.TakeChanges().empty());
}

}  // namespace
}  // namespace rls_shadow::testing_analyze
