// Tests for the lc_messages check: a translated log yields a warning naming the fix.
#include <gtest/gtest.h>

#include "read_helpers.h"

namespace rls_shadow {
namespace {

using testing_ingest::DataPath;
using testing_ingest::JsonLine;
using testing_ingest::ReadAll;
using testing_ingest::WriteTempFile;

TEST(LanguageWarningTest, GermanLogIsReported) {
  auto result = ReadAll(DataPath("localized_de.json"));
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.events.size(), 4u);
  for (const LogEvent& event : result.events) EXPECT_NE(event.kind, LogEventKind::kStatement);
  EXPECT_NE(result.summary.language_warning.find("lc_messages = 'C'"), std::string::npos)
      << result.summary.language_warning;
  EXPECT_NE(result.summary.language_warning.find("Verbindung autorisiert"), std::string::npos);
}

TEST(LanguageWarningTest, OtherTranslationsAreRecognised) {
  for (std::string message :
       {"sentencia: SELECT 1", "instruction : SELECT 1", "instrução: SELECT 1",
        "执行 <unnamed>: SELECT 1", "выполнение <unnamed>: SELECT 1", "оператор: SELECT 1"}) {
    auto result = ReadAll(WriteTempFile("translated.json", JsonLine(message)));
    EXPECT_FALSE(result.summary.language_warning.empty()) << message;
  }
}

TEST(LanguageWarningTest, EnglishLogsAndServerOnlyLogsAreNotReported) {
  EXPECT_TRUE(ReadAll(DataPath("pg15_real.json")).summary.language_warning.empty());
  EXPECT_TRUE(ReadAll(DataPath("pg15_real.csv")).summary.language_warning.empty());
  // One English statement line is enough, even among translated ones.
  auto mixed = ReadAll(WriteTempFile(
      "mixed.json", JsonLine("Anweisung: SELECT 1") + JsonLine("statement: SELECT 1")));
  EXPECT_TRUE(mixed.summary.language_warning.empty());
  // Unknown messages alone prove nothing.
  auto unknown = ReadAll(WriteTempFile("unknown.json", JsonLine("something else")));
  EXPECT_TRUE(unknown.summary.language_warning.empty());
}

}  // namespace
}  // namespace rls_shadow
