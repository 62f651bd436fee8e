// ReadChanges on a real wal2json format-version 2 capture (tests/data/cdc/wal2json.jsonl, made
// by scripts/pg/capture_cdc.sh from PostgreSQL 15 with wal2json 2.5).
#include <gtest/gtest.h>

#include <map>

#include "cdc_helpers.h"

namespace rls_shadow {
namespace {

using testing_cdc::Column;
using testing_cdc::DataPath;
using testing_cdc::Filter;
using testing_cdc::ReadAllChanges;
using testing_cdc::Text;

// 2026-11-22 20:06:26.312304+00 in µs since the epoch.
constexpr int64_t kCommit736 = 1795377986312304;

class Wal2jsonSampleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    result_ = ReadAllChanges(DataPath("wal2json.jsonl"));
    ASSERT_TRUE(result_.status.ok()) << result_.status.message();
  }
  testing_cdc::ChangeResult result_;
};

TEST_F(Wal2jsonSampleTest, ReadsEveryLineAndDetectsTheFormat) {
  EXPECT_EQ(result_.summary.format, CdcFormat::kWal2json);
  EXPECT_EQ(result_.summary.records_read, 36u);
  EXPECT_EQ(result_.summary.events, 36u);
  EXPECT_EQ(result_.summary.records_rejected, 0u);
  EXPECT_EQ(result_.summary.end_line, 36u);
  std::map<ChangeAction, int> counts;
  for (const ChangeEvent& e : result_.events) ++counts[e.action];
  EXPECT_EQ(counts[ChangeAction::kBegin], 10);
  EXPECT_EQ(counts[ChangeAction::kCommit], 10);
  EXPECT_EQ(counts[ChangeAction::kInsert], 4);
  EXPECT_EQ(counts[ChangeAction::kUpdate], 6);
  EXPECT_EQ(counts[ChangeAction::kDelete], 2);
  EXPECT_EQ(counts[ChangeAction::kTruncate], 2);
  EXPECT_EQ(counts[ChangeAction::kMessage], 2);
}

TEST_F(Wal2jsonSampleTest, BeginCarriesXidLsnAndCommitTime) {
  const ChangeEvent& begin = result_.events.front();
  EXPECT_EQ(begin.action, ChangeAction::kBegin);
  EXPECT_EQ(begin.xid, 736);
  EXPECT_EQ(begin.lsn, 0x15188E0u);
  EXPECT_EQ(begin.time_us, kCommit736);
  EXPECT_EQ(begin.position.line, 1u);
  EXPECT_EQ(begin.position.offset, 0u);
  EXPECT_EQ(result_.events[1].position.offset, result_.events[0].position.offset + 109u);
}

TEST_F(Wal2jsonSampleTest, InsertValuesAndTypes) {
  auto inserts = Filter(result_.events, ChangeAction::kInsert, "public.orders");
  ASSERT_EQ(inserts.size(), 1u);
  const ChangeEvent& e = *inserts[0];
  EXPECT_EQ(e.xid, 736);
  EXPECT_EQ(e.lsn, 0x15186E8u);
  EXPECT_EQ(e.time_us, kCommit736);
  EXPECT_EQ(e.schema, "public");
  EXPECT_EQ(e.table, "orders");
  EXPECT_TRUE(e.identity.empty());
  ASSERT_EQ(e.columns.size(), 11u);
  struct Expect {
    const char* name;
    const char* type;
    const char* text;
  };
  for (const Expect& x : std::initializer_list<Expect>{
           {"id", "uuid", "a0000000-0000-4000-8000-000000000004"},
           {"tenant_id", "uuid", "11111111-1111-4111-8111-111111111111"},
           {"amount", "numeric", "0.00"},  // the JSON number exactly as written
           {"qty", "int4", "1"},
           {"total_cents", "int8", "0"},
           {"priority", "int2", "2"},
           {"paid", "bool", "f"},
           {"created_at", "timestamptz", "2026-11-22 10:00:00.123456+00"},
           {"note", "varchar", "<null>"},
           {"doc", "text", "<null>"},
           {"meta", "jsonb", "[1, 2.5, \"x\"]"},
       }) {
    const ColumnValue* c = Column(e.columns, x.name);
    ASSERT_NE(c, nullptr) << x.name;
    EXPECT_EQ(c->type, x.type) << x.name;
    EXPECT_EQ(Text(e.columns, x.name), x.text) << x.name;
    EXPECT_FALSE(c->unavailable);
  }
  // An enum: its name without the schema wal2json qualifies it with.
  auto tenants = Filter(result_.events, ChangeAction::kInsert, "public.tenants");
  ASSERT_EQ(tenants.size(), 1u);
  EXPECT_EQ(Column(tenants[0]->columns, "kind")->type, "tenant_kind");
  EXPECT_EQ(Text(tenants[0]->columns, "kind"), "free");
}

TEST_F(Wal2jsonSampleTest, UpdatesUnderReplicaIdentityDefault) {
  auto updates = Filter(result_.events, ChangeAction::kUpdate, "public.orders");
  ASSERT_EQ(updates.size(), 4u);
  // Key kept: wal2json still sends the key as the identity.
  const ChangeEvent& paid = *updates[0];
  EXPECT_EQ(Text(paid.columns, "amount"), "15.75");
  EXPECT_EQ(Text(paid.columns, "paid"), "t");
  EXPECT_EQ(Text(paid.columns, "note"), "café");
  ASSERT_EQ(paid.identity.size(), 1u);
  EXPECT_EQ(Text(paid.identity, "id"), "a0000000-0000-4000-8000-000000000001");

  // The TOASTed doc did not change: it is absent, not NULL.
  const ChangeEvent& toast = *updates[1];
  EXPECT_EQ(toast.xid, 737);
  EXPECT_EQ(toast.columns.size(), 10u);
  EXPECT_EQ(Column(toast.columns, "doc"), nullptr);
  EXPECT_EQ(Text(toast.columns, "qty"), "8");
  EXPECT_EQ(Text(toast.columns, "total_cents"), "9007199254740993");
  EXPECT_EQ(Text(toast.columns, "priority"), "-32768");
  EXPECT_EQ(Text(toast.columns, "amount"), "99999999.99");
  EXPECT_EQ(Text(toast.columns, "note"), "line\nbreak \\ 'q'");
  EXPECT_EQ(Text(updates[2]->columns, "doc"), "now short");

  // A primary-key change: the identity holds the old key, the columns the new row.
  const ChangeEvent& rekey = *updates[3];
  EXPECT_EQ(rekey.xid, 739);
  EXPECT_EQ(Text(rekey.columns, "id"), "a0000000-0000-4000-8000-000000000005");
  ASSERT_EQ(rekey.identity.size(), 1u);
  EXPECT_EQ(Text(rekey.identity, "id"), "a0000000-0000-4000-8000-000000000002");
  EXPECT_EQ(Column(rekey.identity, "id")->type, "uuid");
  EXPECT_EQ(Text(rekey.columns, "qty"), "<null>");
  EXPECT_EQ(Text(rekey.columns, "note"), "tab\there");
  EXPECT_EQ(Text(rekey.columns, "amount"), "-0.01");
}

TEST_F(Wal2jsonSampleTest, ReplicaIdentityFullSendsTheWholeOldRow) {
  auto updates = Filter(result_.events, ChangeAction::kUpdate, "public.audit_log");
  ASSERT_EQ(updates.size(), 1u);
  ASSERT_EQ(updates[0]->identity.size(), 4u);
  EXPECT_EQ(Text(updates[0]->identity, "action"), "login");
  EXPECT_EQ(Text(updates[0]->identity, "at"), "2026-11-22 08:00:00+00");
  EXPECT_EQ(Text(updates[0]->columns, "action"), "logout");

  auto deletes = Filter(result_.events, ChangeAction::kDelete);
  ASSERT_EQ(deletes.size(), 2u);
  EXPECT_EQ(deletes[0]->QualifiedTable(), "public.audit_log");
  EXPECT_EQ(deletes[0]->identity.size(), 4u);
  EXPECT_EQ(Text(deletes[0]->identity, "id"), "2");
  EXPECT_EQ(Column(deletes[0]->identity, "id")->type, "int8");
  EXPECT_TRUE(deletes[0]->columns.empty());
  // REPLICA IDENTITY DEFAULT: the key only.
  EXPECT_EQ(deletes[1]->QualifiedTable(), "public.orders");
  ASSERT_EQ(deletes[1]->identity.size(), 1u);
  EXPECT_EQ(Text(deletes[1]->identity, "id"), "a0000000-0000-4000-8000-000000000004");
}

TEST_F(Wal2jsonSampleTest, OtherSchemaNumericDateTimestamp) {
  auto inserts = Filter(result_.events, ChangeAction::kInsert, "billing.invoices");
  ASSERT_EQ(inserts.size(), 1u);
  const auto& cols = inserts[0]->columns;
  EXPECT_EQ(Text(cols, "amount"), "-0.000123");
  EXPECT_EQ(Column(cols, "amount")->type, "numeric");
  EXPECT_EQ(Text(cols, "due_on"), "1999-01-08");
  EXPECT_EQ(Column(cols, "due_on")->type, "date");
  EXPECT_EQ(Text(cols, "issued_at"), "2026-11-22 10:10:00");
  EXPECT_EQ(Column(cols, "issued_at")->type, "timestamp");
  EXPECT_EQ(Text(cols, "label"), "<null>");
  EXPECT_EQ(Column(cols, "id")->type, "int4");
}

TEST_F(Wal2jsonSampleTest, TruncateNamesEachTable) {
  auto truncates = Filter(result_.events, ChangeAction::kTruncate);
  ASSERT_EQ(truncates.size(), 2u);
  EXPECT_EQ(truncates[0]->xid, 745);
  EXPECT_EQ(truncates[0]->truncated, std::vector<std::string>{"billing.invoices"});
  EXPECT_EQ(truncates[1]->truncated, std::vector<std::string>{"public.audit_log"});
  EXPECT_EQ(truncates[0]->lsn, 0x151A790u);
}

TEST_F(Wal2jsonSampleTest, TransactionalAndNonTransactionalMessages) {
  auto messages = Filter(result_.events, ChangeAction::kMessage);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_TRUE(messages[0]->transactional);
  EXPECT_EQ(messages[0]->xid, 736);
  EXPECT_EQ(messages[0]->time_us, kCommit736);
  EXPECT_EQ(messages[0]->message_prefix, "rls-shadow");
  EXPECT_EQ(messages[0]->message_content, "tenant=11111111-1111-4111-8111-111111111111");
  EXPECT_FALSE(messages[1]->transactional);
  EXPECT_EQ(messages[1]->xid, 0);      // "xid": null
  EXPECT_EQ(messages[1]->time_us, 0);  // "timestamp": null
  EXPECT_EQ(messages[1]->lsn, 0x1518958u);
  EXPECT_EQ(messages[1]->message_content, "heartbeat");
}

TEST_F(Wal2jsonSampleTest, DecodeChangeMessageMatchesTheReader) {
  std::ifstream in(DataPath("wal2json.jsonl"));
  std::string line;
  size_t i = 0;
  while (std::getline(in, line)) {
    std::vector<ChangeEvent> out;
    RejectedRecord rejected;
    ASSERT_TRUE(DecodeChangeMessage(line, CdcFormat::kWal2json, &out, &rejected))
        << rejected.reason << ": " << rejected.message;
    ASSERT_EQ(out.size(), 1u);
    ASSERT_LT(i, result_.events.size());
    EXPECT_EQ(out[0].action, result_.events[i].action);
    EXPECT_EQ(out[0].lsn, result_.events[i].lsn);
    EXPECT_EQ(out[0].columns.size(), result_.events[i].columns.size());
    ++i;
  }
  EXPECT_EQ(i, result_.events.size());
}

}  // namespace
}  // namespace rls_shadow
