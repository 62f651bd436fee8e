// ReadChanges on Debezium envelopes. tests/data/cdc/debezium*.jsonl are CONVERSIONS of the real
// wal2json capture into the Debezium PostgreSQL connector's documented event format (made by
// scripts/pg/wal2json_to_debezium.py; Debezium itself does not run here), so they describe the
// same changes: these tests check that both decode to the same events, apart from what Debezium
// does not carry (BEGIN/COMMIT, the key of an update that kept it, a TOASTed value).
#include <gtest/gtest.h>

#include <set>

#include "cdc_helpers.h"

namespace rls_shadow {
namespace {

using testing_cdc::ChangeResult;
using testing_cdc::Column;
using testing_cdc::DataPath;
using testing_cdc::Filter;
using testing_cdc::ReadAllChanges;
using testing_cdc::Text;

// What Debezium sends for the wal2json changes: no BEGIN/COMMIT, and an update that changed the
// primary key (REPLICA IDENTITY DEFAULT, the identity differs from the new key) becomes a
// delete of the old key and an insert of the new row.
std::vector<ChangeEvent> AsDebeziumWouldSendThem(const std::vector<ChangeEvent>& wal2json) {
  std::vector<ChangeEvent> out;
  for (const ChangeEvent& e : wal2json) {
    if (e.action == ChangeAction::kBegin || e.action == ChangeAction::kCommit) continue;
    if (e.action == ChangeAction::kUpdate && e.identity.size() == 1 &&
        Text(e.columns, e.identity[0].name) != Text(e.identity, e.identity[0].name)) {
      ChangeEvent del = e;
      del.action = ChangeAction::kDelete;
      del.columns.clear();
      ChangeEvent ins = e;
      ins.action = ChangeAction::kInsert;
      ins.identity.clear();
      out.push_back(del);
      out.push_back(ins);
      continue;
    }
    out.push_back(e);
  }
  return out;
}

// Compares the columns wal2json sent with Debezium's. `exact` lists the types whose Debezium
// JSON encoding is already PostgreSQL's text (all types when the schema is present).
void ExpectSameColumns(const std::vector<ColumnValue>& wal2json,
                       const std::vector<ColumnValue>& debezium, bool with_schema,
                       const std::string& context) {
  static const std::set<std::string> kSameWithoutSchema = {
      "uuid", "text", "varchar", "int2", "int4", "int8", "bool", "jsonb", "tenant_kind"};
  size_t available = 0;
  for (const ColumnValue& d : debezium) {
    if (!d.unavailable) ++available;
  }
  EXPECT_EQ(available, wal2json.size()) << context;
  for (const ColumnValue& w : wal2json) {
    const ColumnValue* d = Column(debezium, w.name);
    ASSERT_NE(d, nullptr) << context << " column " << w.name;
    EXPECT_FALSE(d->unavailable) << context << " column " << w.name;
    if (with_schema || kSameWithoutSchema.contains(w.type)) {
      EXPECT_EQ(d->text, w.text) << context << " column " << w.name;
    }
    if (with_schema && !d->type.empty()) {
      EXPECT_EQ(d->type, w.type) << context << " " << w.name;
    }
    if (!with_schema) {  // only a VariableScaleDecimal struct says its type without a schema
      EXPECT_EQ(d->type, w.type == "numeric" && d->text == w.text ? "numeric" : "")
          << context << " column " << w.name;
    }
  }
}

void ExpectSameChanges(const ChangeResult& debezium, bool with_schema) {
  ChangeResult wal2json = ReadAllChanges(DataPath("wal2json.jsonl"));
  ASSERT_TRUE(wal2json.status.ok());
  std::vector<ChangeEvent> expected = AsDebeziumWouldSendThem(wal2json.events);

  // The two snapshot rows come first.
  ASSERT_EQ(debezium.events.size(), expected.size() + 2);
  for (size_t i = 0; i < expected.size(); ++i) {
    const ChangeEvent& w = expected[i];
    const ChangeEvent& d = debezium.events[i + 2];
    std::string context = "event " + std::to_string(i) + " (" + w.QualifiedTable() + ")";
    ASSERT_EQ(d.action, w.action) << context;
    EXPECT_EQ(d.xid, w.xid) << context;
    EXPECT_EQ(d.lsn, w.lsn) << context;
    if (w.time_us != 0) {
      EXPECT_EQ(d.time_us, w.time_us) << context;
    }
    if (w.action == ChangeAction::kMessage) {
      EXPECT_EQ(d.message_prefix, w.message_prefix) << context;
      EXPECT_EQ(d.message_content, w.message_content) << context;
      EXPECT_EQ(d.transactional, w.transactional) << context;
      continue;
    }
    EXPECT_EQ(d.schema, w.schema) << context;
    EXPECT_EQ(d.table, w.table) << context;
    EXPECT_EQ(d.truncated, w.truncated) << context;
    ExpectSameColumns(w.columns, d.columns, with_schema, context + " columns");
    // Under REPLICA IDENTITY DEFAULT Debezium has no "before" for an update that kept the key.
    bool key_only_update = w.action == ChangeAction::kUpdate && w.identity.size() == 1;
    if (key_only_update) {
      EXPECT_TRUE(d.identity.empty()) << context;
    } else {
      ExpectSameColumns(w.identity, d.identity, with_schema, context + " identity");
    }
  }
}

TEST(DebeziumSampleTest, WrappedDecodesToTheWal2jsonChanges) {
  ChangeResult result = ReadAllChanges(DataPath("debezium_wrapped.jsonl"));
  ASSERT_TRUE(result.status.ok()) << result.status.message();
  EXPECT_EQ(result.summary.format, CdcFormat::kDebezium);
  EXPECT_EQ(result.summary.records_rejected, 0u);
  EXPECT_EQ(result.summary.records_read, 22u);
  EXPECT_EQ(result.summary.tombstones, 3u);
  EXPECT_EQ(result.summary.events, 19u);
  ExpectSameChanges(result, /*with_schema=*/true);
}

TEST(DebeziumSampleTest, UnwrappedDecodesToTheWal2jsonChangesWhereJsonCanTell) {
  ChangeResult result = ReadAllChanges(DataPath("debezium.jsonl"));
  ASSERT_TRUE(result.status.ok()) << result.status.message();
  EXPECT_EQ(result.summary.format, CdcFormat::kDebezium);
  EXPECT_EQ(result.summary.records_rejected, 0u);
  EXPECT_EQ(result.summary.tombstones, 3u);
  EXPECT_EQ(result.summary.events, 19u);
  ExpectSameChanges(result, /*with_schema=*/false);
  // Without the schema, Debezium's encodings stay as sent (see debezium_decoder.h).
  auto updates = Filter(result.events, ChangeAction::kUpdate, "public.orders");
  ASSERT_FALSE(updates.empty());
  EXPECT_EQ(Text(updates[0]->columns, "amount"), "Bic=");  // 1575, scale 2
  EXPECT_EQ(Text(updates[0]->columns, "created_at"), "2026-11-22T09:00:00.5Z");
}

TEST(DebeziumSampleTest, SnapshotToastAndTypes) {
  ChangeResult result = ReadAllChanges(DataPath("debezium_wrapped.jsonl"));
  ASSERT_TRUE(result.status.ok());
  auto snapshot = Filter(result.events, ChangeAction::kSnapshot);
  ASSERT_EQ(snapshot.size(), 2u);
  EXPECT_EQ(snapshot[0]->QualifiedTable(), "public.tenants");
  EXPECT_EQ(Text(snapshot[0]->columns, "name"), "acme");
  EXPECT_EQ(Text(snapshot[1]->columns, "kind"), "free");
  EXPECT_EQ(Column(snapshot[1]->columns, "id")->type, "uuid");
  EXPECT_EQ(Column(snapshot[1]->columns, "kind")->type, "");  // an Enum: which one is unknown
  EXPECT_EQ(snapshot[0]->xid, 0);                             // txId null

  auto updates = Filter(result.events, ChangeAction::kUpdate, "public.orders");
  ASSERT_EQ(updates.size(), 3u);
  const ColumnValue* doc = Column(updates[1]->columns, "doc");
  ASSERT_NE(doc, nullptr);
  EXPECT_TRUE(doc->unavailable);
  EXPECT_FALSE(doc->text.has_value());
  EXPECT_EQ(Text(updates[0]->columns, "amount"), "15.75");
  EXPECT_EQ(Column(updates[0]->columns, "amount")->type, "numeric");
  EXPECT_EQ(Text(updates[0]->columns, "created_at"), "2026-11-22 09:00:00.5+00");
  EXPECT_EQ(Column(updates[0]->columns, "created_at")->type, "timestamptz");
  EXPECT_EQ(Text(updates[1]->columns, "total_cents"), "9007199254740993");
  EXPECT_EQ(Column(updates[1]->columns, "priority")->type, "int2");

  auto invoices = Filter(result.events, ChangeAction::kInsert, "billing.invoices");
  ASSERT_EQ(invoices.size(), 1u);
  EXPECT_EQ(Text(invoices[0]->columns, "amount"), "-0.000123");   // VariableScaleDecimal
  EXPECT_EQ(Text(invoices[0]->columns, "due_on"), "1999-01-08");  // Date
  EXPECT_EQ(Text(invoices[0]->columns, "issued_at"), "2026-11-22 10:10:00");  // MicroTimestamp
}

TEST(DebeziumMessageTest, DecodesOneMessageWithAndWithoutWrapper) {
  const std::string bare =
      R"({"before":null,"after":{"id":7,"t":"x"},"source":{"ts_ms":1700000000123,)"
      R"("schema":"public","table":"t","txId":42,"lsn":123456},"op":"c","ts_ms":1})";
  std::vector<ChangeEvent> out;
  RejectedRecord rejected;
  ASSERT_TRUE(DecodeChangeMessage(bare, CdcFormat::kDebezium, &out, &rejected)) << rejected.message;
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].action, ChangeAction::kInsert);
  EXPECT_EQ(out[0].xid, 42);
  EXPECT_EQ(out[0].lsn, 123456u);
  EXPECT_EQ(out[0].time_us, 1700000000123000);
  EXPECT_EQ(Text(out[0].columns, "id"), "7");

  // A tombstone: accepted, no event. Auto-detection too.
  out.clear();
  EXPECT_TRUE(DecodeChangeMessage("null", CdcFormat::kAuto, &out, &rejected));
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(DecodeChangeMessage(R"({"schema":null,"payload":null})", CdcFormat::kDebezium, &out,
                                  &rejected));
  EXPECT_TRUE(out.empty());

  // A payload before its schema is decoded with the schema.
  const std::string reordered =
      R"({"payload":{"op":"u","before":null,"after":{"d":"BNI="},)"
      R"("source":{"schema":"s","table":"t","ts_ms":5}},)"
      R"("schema":{"type":"struct","fields":[{"type":"struct","fields":[{"type":"bytes",)"
      R"("name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"3"},)"
      R"("field":"d"}],"field":"after"}]}})";
  ASSERT_TRUE(DecodeChangeMessage(reordered, CdcFormat::kAuto, &out, &rejected))
      << rejected.message;
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(Text(out[0].columns, "d"), "1.234");
  EXPECT_EQ(out[0].QualifiedTable(), "s.t");
}

TEST(DebeziumMessageTest, MessageOpTruncateAndPropagatedSourceType) {
  std::vector<ChangeEvent> out;
  RejectedRecord rejected;
  ASSERT_TRUE(DecodeChangeMessage(
      R"({"op":"m","ts_ms":1,"source":{"ts_ms":2,"txId":null,"lsn":9,"schema":"","table":""},)"
      R"("message":{"prefix":"p","content":"aGk="}})",
      CdcFormat::kDebezium, &out, &rejected))
      << rejected.message;
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].action, ChangeAction::kMessage);
  EXPECT_FALSE(out[0].transactional);
  EXPECT_EQ(out[0].message_prefix, "p");
  EXPECT_EQ(out[0].message_content, "hi");
  EXPECT_EQ(out[0].time_us, 2000);

  out.clear();
  ASSERT_TRUE(DecodeChangeMessage(
      R"({"op":"t","source":{"ts_ms":2,"txId":5,"schema":"public","table":"orders"}})",
      CdcFormat::kDebezium, &out, &rejected));
  EXPECT_EQ(out[0].truncated, std::vector<std::string>{"public.orders"});

  out.clear();
  ASSERT_TRUE(DecodeChangeMessage(
      R"({"schema":{"type":"struct","fields":[{"type":"struct","field":"after","fields":[)"
      R"({"type":"string","field":"n","parameters":{"__debezium.source.column.type":"VARCHAR",)"
      R"("__debezium.source.column.length":"20"}}]}]},)"
      R"("payload":{"op":"c","after":{"n":"x"},"source":{"schema":"public","table":"t"}}})",
      CdcFormat::kDebezium, &out, &rejected))
      << rejected.message;
  EXPECT_EQ(Column(out[0].columns, "n")->type, "varchar");
}

}  // namespace
}  // namespace rls_shadow
