// Attribution: which code path and job lane issued a statement, from a trailing sqlcommenter
// comment (/*code_path='app%2Fjobs%2Fship.rb',lane='ship_upload'*/), Rails' legacy
// /*application:x,controller:y,action:z*/ form, the lane setting, or application_name.
//
// An Attributor is immutable after construction except for its application_name cache;
// use one per analysing thread.
#pragma once

#include <map>
#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analyze/analyzer_config.h"
#include "common/flat_text_map.h"

namespace rls_shadow {

// Parses the last comment of `sql` as sqlcommenter key='value' pairs (url-decoded) or the Rails
// legacy key:value form. Returns the pairs in order; empty when there is no such comment.
std::vector<std::pair<std::string, std::string>> ParseSqlComment(std::string_view sql);

// Views into the Attributor's caches and buffers, so a statement's attribution allocates
// nothing: valid until the next Attribute call.
struct Attribution {
  std::string_view code_path;
  std::string_view lane;
  // Whether the code path came from the statement's own comment rather than application_name:
  // only then does a change of code path show that another job is running.
  bool code_path_from_comment = false;
};

class Attributor {
 public:
  explicit Attributor(const AttributionConfig& config);

  // `lane_setting_value` is the session's value of the lane setting (empty when unset).
  Attribution Attribute(std::string_view sql, const std::string& application_name,
                        std::string_view lane_setting_value);

 private:
  // What a trailing comment says: the code path and lane its tags name ("" when none).
  struct CommentAttribution {
    std::string code_path;
    std::string lane;
  };

  const std::string& LaneForApplication(const std::string& application_name);
  // The code path and lane `tags` name under the configured keys (computed once per comment).
  CommentAttribution FromTags(const std::vector<std::pair<std::string, std::string>>& tags) const;

  const AttributionConfig& config_;
  std::vector<std::pair<std::regex, std::string>> app_lanes_;
  // Trailing comments, attributed: an application sends the same few comments over and over.
  common::FlatTextMap comments_;  // comment → its number in attributions_
  std::vector<CommentAttribution> attributions_;
  common::FlatTextMap app_lane_cache_;  // application_name → its number in app_lanes_found_
  std::vector<std::string> app_lanes_found_;
  // What Attribution views when the code path is application_name / the lane is the setting's.
  std::string code_path_from_application_;
  std::string lane_from_setting_;
};

}  // namespace rls_shadow
