// ReadSeed on real pg_dump --data-only files (tests/data/cdc/seed.sql: COPY blocks;
// seed_inserts.sql: --column-inserts), both made by scripts/pg/capture_cdc.sh with pg_dump
// 15.18, which writes \restrict / \unrestrict lines.
#include <gtest/gtest.h>

#include <algorithm>

#include "cdc/copy_text.h"
#include "cdc_helpers.h"

namespace rls_shadow {
namespace {

using testing_cdc::ChangeResult;
using testing_cdc::DataPath;
using testing_cdc::Filter;
using testing_cdc::ReadAllSeed;
using testing_cdc::Text;
using testing_cdc::WriteTempFile;

TEST(SeedReaderTest, CopyBlocksOfARealDump) {
  ChangeResult result = ReadAllSeed(DataPath("seed.sql"));
  ASSERT_TRUE(result.status.ok()) << result.status.message();
  EXPECT_EQ(result.summary.records_rejected, 0u);
  EXPECT_EQ(result.summary.records_read, 7u);
  // Each table's block starts with a truncate naming it: its rows follow, all of them.
  std::vector<std::string> started;
  for (const ChangeEvent& e : result.events) {
    if (e.action == ChangeAction::kTruncate) {
      ASSERT_EQ(e.truncated.size(), 1u);
      started.push_back(e.truncated[0]);
      continue;
    }
    ASSERT_FALSE(started.empty());
    EXPECT_EQ(started.back(), e.QualifiedTable()) << "a row outside its table's block";
  }
  EXPECT_EQ(started.size(), result.events.size() - 7);
  EXPECT_NE(std::find(started.begin(), started.end(), "billing.invoices"), started.end());
  for (const ChangeEvent& e : result.events) {
    if (e.action == ChangeAction::kTruncate) continue;
    EXPECT_EQ(e.action, ChangeAction::kSnapshot);
    EXPECT_EQ(e.xid, 0);
    for (const ColumnValue& c : e.columns) EXPECT_EQ(c.type, "");
  }
  auto orders = Filter(result.events, ChangeAction::kSnapshot, "public.orders");
  ASSERT_EQ(orders.size(), 3u);
  EXPECT_EQ(orders[0]->columns.size(), 11u);
  EXPECT_EQ(Text(orders[0]->columns, "amount"), "12.50");
  EXPECT_EQ(Text(orders[0]->columns, "paid"), "t");
  EXPECT_EQ(Text(orders[0]->columns, "meta"), R"({"tags": ["a", "b"], "source": "web"})");
  EXPECT_EQ(Text(orders[1]->columns, "qty"), "<null>");
  EXPECT_EQ(Text(orders[1]->columns, "note"), "tab\there");
  EXPECT_EQ(Text(orders[2]->columns, "note"), "line\nbreak \\ 'q'");
  EXPECT_EQ(Text(orders[2]->columns, "doc").size(), 430u * 7 - 1);
  auto invoices = Filter(result.events, ChangeAction::kSnapshot, "billing.invoices");
  ASSERT_EQ(invoices.size(), 1u);
  EXPECT_EQ(Text(invoices[0]->columns, "issued_at"), "2026-11-22 08:30:00.25");
  EXPECT_GT(invoices[0]->position.line, 1u);
}

TEST(SeedReaderTest, ColumnInsertsGiveTheSameRowsAsCopy) {
  ChangeResult copy = ReadAllSeed(DataPath("seed.sql"));
  ChangeResult inserts = ReadAllSeed(DataPath("seed_inserts.sql"));
  ASSERT_TRUE(inserts.status.ok()) << inserts.status.message();
  EXPECT_EQ(inserts.summary.records_rejected, 0u);
  for (const auto& r : inserts.rejects)
    ADD_FAILURE() << r.record.reason << ": " << r.record.message;
  auto keep_rows = [](std::vector<ChangeEvent>* events) {
    std::erase_if(*events,
                  [](const ChangeEvent& e) { return e.action != ChangeAction::kSnapshot; });
  };
  keep_rows(&copy.events);  // the INSERT form starts only tables that have rows
  keep_rows(&inserts.events);
  ASSERT_EQ(inserts.events.size(), copy.events.size());
  for (size_t i = 0; i < copy.events.size(); ++i) {
    const ChangeEvent& a = copy.events[i];
    const ChangeEvent& b = inserts.events[i];
    EXPECT_EQ(a.QualifiedTable(), b.QualifiedTable());
    ASSERT_EQ(a.columns.size(), b.columns.size());
    for (size_t j = 0; j < a.columns.size(); ++j) {
      EXPECT_EQ(a.columns[j].name, b.columns[j].name);
      EXPECT_EQ(a.columns[j].text, b.columns[j].text)
          << a.QualifiedTable() << "." << a.columns[j].name;
    }
  }
}

TEST(SeedReaderTest, RejectsRowsWhoseColumnsAreUnknownAndBadStatements) {
  std::string path = WriteTempFile("seed_bad.sql",
                                   "SET x = 1;\n"
                                   "COPY public.t FROM stdin;\n"
                                   "1\ta\n"
                                   "\\.\n"
                                   "INSERT INTO public.t VALUES (1, 'a');\n"
                                   "INSERT INTO public.t (a, b) VALUES (1, now());\n"
                                   "INSERT INTO public.t (a, b) VALUES (1);\n"
                                   "INSERT INTO public.t (a, b) VALUES (1, 'x'), (-2, NULL);\n"
                                   "INSERT INTO oops oops;\n"
                                   "COPY u (a, b) FROM stdin;\n"
                                   "1\t2\t3\n"
                                   "x\\\n"
                                   "\\x41\\101\\N\t\\N\n"
                                   "\\.\n"
                                   "INSERT INTO t (a) VALUES ('unterminated\n");
  ChangeResult result = ReadAllSeed(path);
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.summary.rejected_by_reason["missing_field"], 2u);  // COPY row, INSERT
  EXPECT_EQ(result.summary.rejected_by_reason["bad_value"], 4u);      // now(), width x2, backslash
  EXPECT_EQ(result.summary.rejected_by_reason["invalid_sql"], 2u);    // oops, unterminated
  auto rows = Filter(result.events, ChangeAction::kSnapshot);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(Text(rows[0]->columns, "a"), "1");
  EXPECT_EQ(Text(rows[0]->columns, "b"), "x");
  EXPECT_EQ(Text(rows[1]->columns, "a"), "-2");
  EXPECT_EQ(Text(rows[1]->columns, "b"), "<null>");
  EXPECT_EQ(rows[2]->QualifiedTable(), "public.u");
  EXPECT_EQ(Text(rows[2]->columns, "a"), "AAN");
  EXPECT_EQ(Text(rows[2]->columns, "b"), "<null>");
  // Tables with unreadable rows are reported incomplete after their truncate; the COPY without
  // a column list never claims completeness at all.
  std::vector<std::string> missing;
  for (const ChangeEvent& e : result.events) {
    if (e.action == ChangeAction::kRowsMissing) missing.push_back(e.truncated.at(0));
    if (e.action == ChangeAction::kTruncate) {
      EXPECT_TRUE(e.truncated.at(0) == "public.t" || e.truncated.at(0) == "public.u");
    }
  }
  EXPECT_NE(std::find(missing.begin(), missing.end(), "public.t"), missing.end());
  EXPECT_NE(std::find(missing.begin(), missing.end(), "public.u"), missing.end());
}

TEST(CopyTextTest, Escapes) {
  std::vector<std::optional<std::string>> fields;
  std::string error;
  ASSERT_TRUE(cdc::DecodeCopyTextRow("a\\tb\t\\N\t\\\\N\t\\b\\f\\n\\r\\v\\x7\\xZ\\0\\377\\q\t",
                                     &fields, &error));
  ASSERT_EQ(fields.size(), 5u);
  EXPECT_EQ(fields[0], "a\tb");
  EXPECT_EQ(fields[1], std::nullopt);
  EXPECT_EQ(fields[2], "\\N");
  EXPECT_EQ(*fields[3], std::string("\b\f\n\r\v\x07xZ") + std::string(1, '\0') + "\xff" + "q");
  EXPECT_EQ(fields[4], "");
  EXPECT_FALSE(cdc::DecodeCopyTextRow("abc\\", &fields, &error));
}

}  // namespace
}  // namespace rls_shadow
