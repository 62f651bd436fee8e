// MessageLanguageCheck: notices a log written with a translated lc_messages, where no statement
// can be recognised because every message prefix ("statement: ", "execute ", ...) is localized.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "rls_shadow/log_event.h"

namespace rls_shadow::ingest {

class MessageLanguageCheck {
 public:
  // Looks at one classified event. Cheap once an English prefix has been seen.
  void Observe(const LogEvent& event, std::string_view backend_type);

  // A one-line explanation when client-backend lines were seen, none had an English prefix and
  // some had a known translation of one; empty otherwise.
  std::string Warning() const;

 private:
  uint64_t english_lines_ = 0;
  uint64_t translated_lines_ = 0;
  std::string example_;  // the first translated message, shortened
};

}  // namespace rls_shadow::ingest
