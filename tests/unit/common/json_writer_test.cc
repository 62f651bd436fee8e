#include "common/json_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "unit/report/json_dom.h"

namespace rls_shadow {
namespace {

std::string Quote(std::string_view s) {
  std::string out;
  AppendJsonString(s, &out);
  return out;
}

TEST(JsonWriter, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(Quote("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(Quote("\n\r\t\b\f"), R"("\n\r\t\b\f")");
  EXPECT_EQ(Quote(std::string("\0\x01\x1f\x7f", 4)), R"("\u0000\u0001\u001f\u007f")");
  EXPECT_EQ(Quote("/"), "\"/\"");
}

TEST(JsonWriter, KeepsValidUtf8AndReplacesInvalidBytes) {
  EXPECT_EQ(Quote("\xc3\xa9\xe5\xb7\xa5\xf0\x9f\x98\x80"),
            "\"\xc3\xa9\xe5\xb7\xa5\xf0\x9f\x98\x80\"");
  const std::string fffd = "\xef\xbf\xbd";
  EXPECT_EQ(Quote("a\xff"
                  "b"),
            "\"a" + fffd + "b\"");
  EXPECT_EQ(Quote("\xc0\xaf"), "\"" + fffd + fffd + "\"");             // overlong '/'
  EXPECT_EQ(Quote("\xed\xa0\x80"), "\"" + fffd + fffd + fffd + "\"");  // surrogate
  EXPECT_EQ(Quote("\xe5\xb7"), "\"" + fffd + fffd + "\"");             // truncated
  EXPECT_EQ(Quote("\xe2\x80\xa8"), R"("\u2028")");
}

TEST(JsonWriter, EveryByteStringYieldsValidJson) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  testing::Json doc;
  std::string error;
  ASSERT_TRUE(testing::JsonParser::Parse(Quote(all), &doc, &error)) << error;
  ASSERT_TRUE(testing::JsonParser::Parse(Quote(all + all.substr(0, 128)), &doc, &error)) << error;
  EXPECT_EQ(doc.str().substr(0, 128), all.substr(0, 128));
}

TEST(JsonWriter, InsertsCommasAndNests) {
  JsonWriter w;
  w.BeginObject();
  w.Key("a").Int(-1);
  w.Key("b").BeginArray().Uint(2).Bool(true).Null().BeginObject().EndObject().EndArray();
  w.Key("c").Double(0.5);
  w.Key("d").Double(std::numeric_limits<double>::infinity());
  w.Key("e").BeginArray().EndArray();
  w.EndObject();
  EXPECT_EQ(w.str(), R"({"a":-1,"b":[2,true,null,{}],"c":0.5,"d":null,"e":[]})");
}

}  // namespace
}  // namespace rls_shadow
